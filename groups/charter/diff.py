"""Document pages: a group's versioned documents with upload, side-by-side comparison of two
versions, and permission-checked downloads (issue 3 "Documents"; policy G-4, L-1, L-8).

Files are never served from MEDIA_URL: every download goes through a view here that checks
the user may see the owner (404 otherwise), sends `Content-Disposition: attachment` and
`X-Content-Type-Options: nosniff`."""

import difflib
from dataclasses import dataclass, field

MAX_DIFF_LINES = 5000


MAX_INTRALINE_CHARS = 4000


CONTEXT_LINES = 3


SIMILAR = 0.6  # lines at least this similar are shown as one changed line


MAX_ALIGN_PAIRS = 40_000


@dataclass
class DiffRow:
    """One row of the side-by-side table. kind: equal, changed, removed, added, skipped."""

    kind: str
    left_no: int | None = None
    right_no: int | None = None
    left: list[tuple[str, bool]] = field(default_factory=list)
    right: list[tuple[str, bool]] = field(default_factory=list)
    skipped: int = 0


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _intraline(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    if len(a) + len(b) > MAX_INTRALINE_CHARS:
        return [(a, True)], [(b, True)]
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append((a[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append((b[j1:j2], tag != "equal"))
    return left, right


def _align(a: list[str], i1: int, i2: int, b: list[str], j1: int, j2: int):
    """Within a block of differing lines, pair each old line with its most similar new line (a
    changed line) and leave the rest as removed or added, in order; as difflib.Differ does."""
    if i1 >= i2 or j1 >= j2:
        yield from (("removed", i, None) for i in range(i1, i2))
        yield from (("added", None, j) for j in range(j1, j2))
        return
    best, best_i, best_j = SIMILAR - 0.01, None, None
    if (i2 - i1) * (j2 - j1) <= MAX_ALIGN_PAIRS:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        for j in range(j1, j2):
            matcher.set_seq2(b[j])
            for i in range(i1, i2):
                matcher.set_seq1(a[i])
                if (
                    matcher.real_quick_ratio() > best
                    and matcher.quick_ratio() > best
                    and matcher.ratio() > best
                ):
                    best, best_i, best_j = matcher.ratio(), i, j
    if best_i is None:
        yield from (("removed", i, None) for i in range(i1, i2))
        yield from (("added", None, j) for j in range(j1, j2))
        return
    yield from _align(a, i1, best_i, b, j1, best_j)
    yield ("changed", best_i, best_j)
    yield from _align(a, best_i + 1, i2, b, best_j + 1, j2)


def text_diff_rows(
    old: str, new: str, *, context: int | None = CONTEXT_LINES
) -> tuple[list[DiffRow], bool]:
    """Side-by-side rows comparing two texts line by line, with the changed characters of a
    changed line marked; unchanged runs beyond `context` lines are folded (None: show all).
    Returns (rows, truncated). The texts come from users: the template escapes every piece."""
    a, b = _lines(old), _lines(new)
    truncated = len(a) > MAX_DIFF_LINES or len(b) > MAX_DIFF_LINES
    a, b = a[:MAX_DIFF_LINES], b[:MAX_DIFF_LINES]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if context is None:
        groups = [matcher.get_opcodes()]
    else:
        groups = list(matcher.get_grouped_opcodes(context)) if a != b else []
    rows: list[DiffRow] = []
    shown_until = 0  # index in `a` up to which rows exist (for the folded counts)
    for group in groups:
        first = group[0]
        if first[1] > shown_until:
            rows.append(DiffRow("skipped", skipped=first[1] - shown_until))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    rows.append(
                        DiffRow(
                            "equal",
                            i1 + k + 1,
                            j1 + k + 1,
                            [(a[i1 + k], False)],
                            [(b[j1 + k], False)],
                        )
                    )
                continue
            for op, i, j in _align(a, i1, i2, b, j1, j2):
                if op == "changed":
                    left, right = _intraline(a[i], b[j])
                    rows.append(DiffRow("changed", i + 1, j + 1, left, right))
                elif op == "removed":
                    rows.append(DiffRow("removed", left_no=i + 1, left=[(a[i], True)]))
                else:
                    rows.append(DiffRow("added", right_no=j + 1, right=[(b[j], True)]))
        shown_until = group[-1][2]
    if groups and shown_until < len(a):
        rows.append(DiffRow("skipped", skipped=len(a) - shown_until))
    return rows, truncated
