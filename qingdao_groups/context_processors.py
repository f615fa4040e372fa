"""Template context every page gets: the number of items on the user's work list (the menu's
待办 badge), counted once per scope and cached until something a provider reads changes
(core.inbox.inbox_counts). Lazy: a page that does not show the menu never counts."""

from django.utils.functional import SimpleLazyObject

from qingdao_groups.core.inbox import inbox_total


def worklist(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worklist_count": SimpleLazyObject(lambda: inbox_total(user))}
