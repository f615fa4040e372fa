"""What every page's frame needs: which menu section the page belongs to (issue 8: the current
page is marked in the menu, aria-current="page")."""

# URL namespace (or, for the home page, URL name) -> the menu section it belongs to.
_SECTIONS = {
    "groups": "groups",
    "documents": "groups",  # a group's charter and documents
    "members": "schools",
    "applications": "applications",
    "cards": "cards",
    "filings": "filings",
    "enrollment": "enrollment",
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
