"""The layering the code keeps (docs/architecture.md): views never write models themselves, they
call a service; and the import-linter contracts in pyproject.toml really catch a forbidden import."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["members", "groups", "funding", "assessments", "qingdao_groups", "api"]

# --- Views never write models directly -----------------------------------------------------------

# Methods that write to the database whatever they are called on.
WRITE_METHODS = {"save", "delete", "bulk_create", "get_or_create", "update_or_create", "update"}


def view_modules() -> list[Path]:
    """Every `views*.py` module and every module of a `views/` package of the apps."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if path.name.startswith("views") or "views" in path.relative_to(ROOT).parts[:-1]:
                found.add(path)
    return sorted(found)


def _chain(node: ast.AST) -> list[str]:
    """The attribute names of a receiver chain, e.g. `Model.objects.filter(x=1)` -> [..objects..]."""
    names = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names


def _dict_names(tree: ast.AST) -> set[str]:
    """Names bound to a plain dict (a display, a comprehension, `dict(...)`, `**kwargs`): their
    `.update(...)` merges keys and writes nothing."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            is_dict = isinstance(value, ast.Dict | ast.DictComp) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "dict"
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_dict:
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.arguments) and node.kwarg is not None:
            names.add(node.kwarg.arg)
    return names


def model_writes(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line: what` for each database write or transaction a views module makes itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    dicts = _dict_names(tree)
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if method == "update" and isinstance(receiver, ast.Name) and receiver.id in dicts:
                continue
            if method == "save" and any(
                k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            ):
                continue  # form.save(commit=False) builds an unsaved instance
            if method in WRITE_METHODS or (method == "create" and "objects" in _chain(receiver)):
                found.append((node.lineno, f".{method}("))
        # `transaction.atomic` as a context manager or decorator, or `atomic` imported by name.
        if isinstance(node, ast.Attribute) and node.attr == "atomic":
            found.append((node.lineno, "transaction.atomic"))
        elif isinstance(node, ast.ImportFrom) and any(a.name == "atomic" for a in node.names):
            found.append((node.lineno, "import atomic"))
    return [f"{where}:{line}: {what}" for line, what in sorted(found)]


def test_the_views_scan_finds_the_views():
    found = {str(p.relative_to(ROOT)) for p in view_modules()}
    # one views module per feature of groups, plus the members and project views
    for feature in ("registry", "applications", "cards", "filings", "enrollment", "charter"):
        assert f"groups/{feature}/views.py" in found, found
    assert {"members/views.py", "members/views_import.py", "qingdao_groups/views.py"} <= found


def test_the_scan_catches_writes(tmp_path):
    sample = tmp_path / "views_sample.py"
    sample.write_text(
        "from django.db import transaction\n"
        "def v(request, form, school, qs):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"  # a dict: fine
        "    draft = form.save(commit=False)\n"  # unsaved: fine
        "    school.save()\n"
        "    School.objects.create(name='x')\n"
        "    School.objects.filter(pk=1).update(name='y')\n"
        "    qs.delete()\n"
        "    with transaction.atomic():\n"
        "        pass\n",
        encoding="utf-8",
    )
    found = model_writes(sample, root=tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == [
        ".save(",
        ".create(",
        ".update(",
        ".delete(",
        "transaction.atomic",
    ]


def test_views_never_write_models_directly():
    """A view checks who may act and calls a service; the service writes, in its own transaction
    (docs/architecture.md, "Views are thin")."""
    found = [hit for path in view_modules() for hit in model_writes(path)]
    assert found == [], (
        "views write models themselves; move the write into a service:\n" + "\n".join(found)
    )


# --- The import-linter contracts --------------------------------------------------------------------


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(executable), "--no-cache", "--no-logo", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path):
    """The repository's Python packages and its pyproject.toml, copied to a scratch folder."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "statement", "importer", "imported"),
    [
        ("members/__init__.py", "import groups.models", "members", "groups.models"),
        ("groups/__init__.py", "import funding", "groups", "funding"),
        ("qingdao_groups/core/__init__.py", "import groups", "qingdao_groups.core", "groups"),
    ],
)
def test_the_contracts_refuse_a_forbidden_import(tree_copy, module, statement, importer, imported):
    path = tree_copy / module
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    line = text.count("\n") + 1
    path.write_text(f"{text}{statement}  # noqa\n", encoding="utf-8")

    result = lint_imports(tree_copy)

    assert result.returncode != 0, result.stdout + result.stderr
    assert f"{importer} -> {imported} (l.{line})" in result.stdout, result.stdout + result.stderr


def test_the_real_tree_keeps_the_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# --- The clock is never patched ---------------------------------------------------------------------
# Services take `now` (issue 6, item 4): code that needs another day passes it, and no module of
# the apps replaces django.utils.timezone.now, which would shift every other thread's clock too.


def _is_timezone(node: ast.AST) -> bool:
    """`timezone` or anything ending in `.timezone` (django.utils.timezone)."""
    return (isinstance(node, ast.Name) and node.id == "timezone") or (
        isinstance(node, ast.Attribute) and node.attr == "timezone"
    )


def clock_patches(path: Path, root: Path = ROOT) -> list[str]:
    """Assignments to `timezone.now`, `setattr(timezone, "now", …)` and patches naming
    django.utils.timezone.now in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = [
                t
                for target in node.targets
                for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "now"
                and _is_timezone(target.value)
            ):
                found.append((node.lineno, "timezone.now ="))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            args = node.args
            if (
                name == "setattr"
                and len(args) >= 2
                and _is_timezone(args[0])
                and isinstance(args[1], ast.Constant)
                and args[1].value == "now"
            ):
                found.append((node.lineno, "setattr(timezone, 'now')"))
            if (
                name == "object"
                and len(args) >= 2
                and _is_timezone(args[0])
                and isinstance(args[1], ast.Constant)
                and args[1].value == "now"
            ):
                found.append((node.lineno, "patch.object(timezone, 'now')"))
            if any(
                isinstance(a, ast.Constant) and a.value == "django.utils.timezone.now" for a in args
            ):
                found.append((node.lineno, "patch('django.utils.timezone.now')"))
    where = path.relative_to(root)
    return [f"{where}:{line}: {what}" for line, what in sorted(found)]


def app_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_clock_scan_catches_a_patch(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from unittest import mock\n"
        "from django.utils import timezone\n"
        "import django.utils\n"
        "now = timezone.now()\n"  # reading the clock: fine
        "timezone.now = lambda: None\n"
        "django.utils.timezone.now = real\n"
        "setattr(timezone, 'now', real)\n"
        "mock.patch.object(timezone, 'now', real)\n"
        "mock.patch('django.utils.timezone.now')\n",
        encoding="utf-8",
    )
    assert [f.split(": ", 1)[1] for f in clock_patches(sample, root=tmp_path)] == [
        "timezone.now =",
        "timezone.now =",
        "setattr(timezone, 'now')",
        "patch.object(timezone, 'now')",
        "patch('django.utils.timezone.now')",
    ]


def test_no_module_of_the_apps_patches_the_clock():
    """Services take `now` (and `today`) where dates matter; nothing outside the tests replaces
    django.utils.timezone.now (issue 6, item 4)."""
    modules = app_modules()
    assert any(p.name == "story.py" for p in modules)  # the demo story is scanned
    found = [hit for path in modules for hit in clock_patches(path)]
    assert found == [], "modules patch the clock; pass `now=` instead:\n" + "\n".join(found)
