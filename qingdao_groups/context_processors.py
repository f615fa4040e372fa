"""Template context every page gets: the number of items on the user's work list (the menu's
待办 badge), counted once per scope and cached until something a provider reads changes
(core.inbox.inbox_counts). Lazy: a page that does not show the menu never counts."""

from django.utils.functional import SimpleLazyObject

from qingdao_groups.core.inbox import inbox_total

# URL namespace (or, for the home page, URL name) -> the menu section it belongs to.
_SECTIONS = {
    "groups": "groups",
    "documents": "groups",  # a group's charter and documents
    "members": "schools",
    "applications": "applications",
    "cards": "cards",
    "filings": "filings",
    "enrollment": "enrollment",
    "funding": "funding",
    "dashboard": "dashboard",
    "audit": "audit",
    "frameworks": "assessments",
    "cycles": "cycles",
}


# The sections under the menu's one oversight entry (督导, issue 10).
OVERSIGHT_SECTIONS = ("cycles", "dashboard", "audit", "assessments")


def _oversight(user) -> dict:
    """Which oversight pages the menu offers the user (the pages check again): the cycles for
    staff, core principals and read-only roles; statistics for staff, auditors and the finance
    reviewer; the audit log for those who see everything. No query: the user row is loaded."""
    if not getattr(user, "is_authenticated", False):
        return {"any": False}
    role = getattr(user, "role", "")
    cycles = role in ("city_staff", "district_staff", "core_principal") or bool(
        getattr(user, "is_read_only", False) or user.is_superuser
    )
    stats = user.is_superuser or role in (
        "city_staff",
        "district_staff",
        "auditor",
        "sysadmin",
        "finance_reviewer",
    )
    audit = bool(getattr(user, "sees_everything", False))
    return {"cycles": cycles, "stats": stats, "audit": audit, "any": cycles or stats or audit}


def navigation(request) -> dict:
    oversight = _oversight(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    if match is None:
        current = ""
    elif match.view_name == "home":
        current = "home"
    elif match.view_name == "applications:inbox":
        current = "inbox"
    else:
        current = _SECTIONS.get(match.namespace, "")
    return {
        "nav_current": current,
        "oversight": oversight,
        "oversight_current": current in OVERSIGHT_SECTIONS,
    }


def worklist(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worklist_count": SimpleLazyObject(lambda: inbox_total(user))}
