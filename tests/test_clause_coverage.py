"""Every policy clause the code cites is cited by at least one test too (issue: every clause ID
used is traceable from code to a test), and every cited clause exists in the policy digest."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAUSE = re.compile(r"(?<![A-Za-z0-9-])([GTLFSAD]-[1-8][a-c]?)(?![0-9a-z])")
CODE_DIRS = ["groups", "members", "qingdao_groups", "funding", "assessments", "templates"]
KNOWN = {  # policy/CLAUSES.md
    "G-1",
    "G-2",
    "G-3",
    "G-4",
    "G-5",
    "G-6",
    "T-1",
    "T-1a",
    "T-1b",
    "T-2",
    "T-2a",
    "T-2b",
    "T-2c",
    "T-3",
    "T-3a",
    "T-3b",
    "L-1",
    "L-2",
    "L-3",
    "L-4",
    "L-5",
    "L-6",
    "L-7",
    "L-8",
    "F-1",
    "F-2",
    "F-3",
    "F-4",
    "F-5",
    "S-1",
    "S-2",
    "A-1",
    "A-2",
    "A-3",
    "A-4",
    "A-5",
    "A-6",
    "D-1",
    "D-2",
}


def _cited(paths) -> set[str]:
    found = set()
    for path in paths:
        if "migrations" in path.parts:
            continue
        found |= set(CLAUSE.findall(path.read_text(encoding="utf-8")))
    return found


def code_files():
    for d in CODE_DIRS:
        yield from (ROOT / d).rglob("*.py")
        yield from (ROOT / d).rglob("*.html")


def test_every_clause_in_code_exists_in_the_policy():
    assert _cited(code_files()) - KNOWN == set()


def test_every_clause_in_code_is_cited_by_a_test():
    in_code = _cited(code_files())
    this_file = Path(__file__).resolve()
    in_tests = _cited(p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != this_file)
    assert in_code, "the pattern found no clause at all"
    assert sorted(in_code - in_tests) == []
