"""Permission-matrix rows contributed by each area; tests/test_permission_matrix.py runs them.

Each module defines ROWS: a list of (url name, which object ("own"/"other"/None), method,
{role: expected status}, build(world, which) -> URL kwargs). Roles: anon, city, district
(市南 bureau: the authority of the world's group), principal (core of the world's group),
member (member school of the world's group), auditor, admin.

Each module also sorts its URL names for the "403 before state" test: WRONG_STATE {url name:
build(world, which) -> URL kwargs of an object in a state where the action is not allowed},
POST_WITHOUT_STATE (posts about nothing that has a state) and READ_ONLY (pages only read).

A module may also name in ELSEWHERE the URL names that are not pages and whose access another
matrix checks (the API's endpoints: tests/api/test_api_matrix.py); they need no rows here."""

import importlib
import pkgutil

EXTRA_ROWS: list[tuple] = []
WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY: set[str] = set()
ELSEWHERE: set[str] = set()
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    EXTRA_ROWS += _module.ROWS
    WRONG_STATE |= _module.WRONG_STATE
    POST_WITHOUT_STATE |= _module.POST_WITHOUT_STATE
    READ_ONLY |= _module.READ_ONLY
    ELSEWHERE |= getattr(_module, "ELSEWHERE", set())
