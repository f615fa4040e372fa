"""Where other apps extend the school pages without members importing them (members never
imports groups: import-linter checks it). groups registers its parts from its hooks module."""

from collections.abc import Callable

from django.db.models import Q

SchoolScope = Callable[[object], Q | None]
SchoolPanel = Callable[[object, object], dict]

_scopes: dict[str, SchoolScope] = {}
_panels: dict[str, SchoolPanel] = {}


def register_school_scope(key: str, scope: SchoolScope) -> None:
    """`scope(user)` returns a filter of further schools the user may see (e.g. the schools of
    the groups a district sees), or None for none."""
    _scopes[key] = scope


def register_school_panel(key: str, panel: SchoolPanel) -> None:
    """`panel(user, school)` returns a dict with `template` and its context, shown on the school
    page below the school's own fields."""
    _panels[key] = panel


def extra_school_scope(user) -> Q | None:
    qs = [q for q in (scope(user) for scope in _scopes.values()) if q is not None]
    if not qs:
        return None
    combined = qs[0]
    for q in qs[1:]:
        combined |= q
    return combined


def school_panels(user, school) -> list[dict]:
    return [panel(user, school) for panel in _panels.values()]
