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


def navigation(request) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_current": ""}
    if match.view_name == "home":
        return {"nav_current": "home"}
    if match.view_name == "applications:inbox":
        return {"nav_current": "inbox"}
    return {"nav_current": _SECTIONS.get(match.namespace, "")}


def worklist(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worklist_count": SimpleLazyObject(lambda: inbox_total(user))}
