"""Permission-matrix rows contributed by each area; tests/test_permission_matrix.py runs them.

Each module defines ROWS: a list of (url name, which object ("own"/"other"/None), method,
{role: expected status}, build(world, which) -> URL kwargs). Roles: anon, city, district
(市南 bureau: the authority of the world's group), principal (core of the world's group),
member (member school of the world's group), auditor, admin."""

import importlib
import pkgutil

EXTRA_ROWS: list[tuple] = []
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    EXTRA_ROWS += importlib.import_module(f"{__name__}.{_info.name}").ROWS
