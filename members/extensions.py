"""Where other apps extend the school pages without members importing them (members never
imports groups: import-linter checks it). groups registers its parts from its hooks module."""

from collections.abc import Callable

from django.db.models import QuerySet

# scope(user) -> a query of further school ids the user may see (one column), or None
SchoolScope = Callable[[object], QuerySet | None]
SchoolPanel = Callable[[object, object], dict]

_scopes: dict[str, SchoolScope] = {}
_panels: dict[str, SchoolPanel] = {}


def register_school_scope(key: str, scope: SchoolScope) -> None:
    """`scope(user)` returns a query of the ids of further schools the user may see (e.g. the
    schools of the groups a district sees: `….values("school_id")`), or None for none."""
    _scopes[key] = scope


def register_school_panel(key: str, panel: SchoolPanel) -> None:
    """`panel(user, school)` returns a dict with `template` and its context, shown on the school
    page below the school's own fields."""
    _panels[key] = panel


def extra_school_ids(user) -> list[QuerySet]:
    """The registered scopes' queries of further school ids for `user`."""
    return [ids for ids in (scope(user) for scope in _scopes.values()) if ids is not None]


def school_panels(user, school) -> list[dict]:
    return [panel(user, school) for panel in _panels.values()]
