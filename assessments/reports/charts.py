"""Charts of the assessment reports, made on the server (issue 10): geometry only (plain
numbers and labels from the report's data); the templates draw it as SVG, so the browser page
and the PDF show the same picture and no script or chart library is needed.

- `dimension_bars(data)`: each dimension's score as a share of its weight (A-1), horizontal
  bars on 0 … 100 %.
- `trend_line(data)`: the group's totals over its published cycles, a line on 0 … 100.
- `grade_bars(data)`: a summary's groups by grade (A-1), vertical bars.
- `target_bars(data)`: the city's groups in being against the A-5 targets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

WIDTH = 640
BAR_COLOURS = {
    "excellent": "#1b6e3a",
    "good": "#2f6db5",
    "qualified": "#b8860b",
    "unqualified": "#b02a37",
}


def _dec(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _r(value) -> str:
    return f"{float(value):.1f}"


def dimension_bars(data: dict) -> dict:
    left, right, row, top = 150, WIDTH - 70, 34, 24
    span = right - left
    bars = []
    for i, dim in enumerate(data.get("dimensions", [])):
        pct = max(Decimal(0), min(Decimal(100), _dec(dim.get("percent"))))
        y = top + i * row
        bars.append(
            {
                "label": dim["name"],
                "clause": dim.get("clause", ""),
                "y": y,
                "text_y": y + 15,
                "width": _r(span * pct / 100),
                "value_x": _r(left + span * pct / 100 + 6),
                "percent": dim.get("percent", ""),
                "score": dim.get("score", ""),
                "weight": dim.get("weight", ""),
            }
        )
    height = top + len(bars) * row + 24
    ticks = [{"x": _r(left + span * p / 100), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": right,
        "bars": bars,
        "bar_height": 20,
        "ticks": ticks,
        "axis_y": height - 20,
        "tick_y": height - 6,
    }


def trend_line(data: dict) -> dict:
    rows = data.get("trend", [])
    left, right, top, bottom = 50, WIDTH - 30, 20, 190
    height = bottom + 34
    n = len(rows)
    step = (right - left) / (n - 1) if n > 1 else 0
    points = []
    for i, row in enumerate(rows):
        total = max(Decimal(0), min(Decimal(100), _dec(row.get("total"))))
        x = left + step * i if n > 1 else (left + right) / 2
        y = bottom - (bottom - top) * float(total) / 100
        points.append(
            {
                "x": _r(x),
                "y": _r(y),
                "label_y": _r(y - 8),
                "total": row.get("total", ""),
                "year": row.get("year"),
                "cycle": row.get("cycle", ""),
            }
        )
    ticks = [{"y": _r(bottom - (bottom - top) * v / 100), "label": v} for v in (0, 60, 75, 90, 100)]
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": right,
        "bottom": bottom,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "year_y": bottom + 22,
    }


def grade_bars(data: dict) -> dict:
    rows = data.get("distribution", [])
    left, bottom, top, width = 50, 190, 20, 90
    most = max([r["count"] for r in rows] + [1])
    bars = []
    for i, row in enumerate(rows):
        h = (bottom - top) * row["count"] / most
        x = left + 20 + i * (width + 40)
        bars.append(
            {
                "x": x,
                "mid": x + width / 2,
                "y": _r(bottom - h),
                "height": _r(h),
                "width": width,
                "count": row["count"],
                "label": row["label"],
                "colour": BAR_COLOURS.get(row["grade"], "#6c757d"),
                "count_y": _r(bottom - h - 6),
            }
        )
    return {
        "width": left + 20 + len(rows) * (width + 40),
        "height": bottom + 34,
        "left": left,
        "bottom": bottom,
        "bars": bars,
        "label_y": bottom + 22,
    }


def target_bars(data: dict) -> dict:
    """The groups in being at the period's end as one bar, the A-5 targets as lines."""
    targets = data.get("targets") or {}
    actual = int(targets.get("actual", 0))
    goals = targets.get("targets", [])
    most = max([actual] + [g["target"] for g in goals] + [1]) * 1.15
    left, right, top, bottom = 60, WIDTH - 140, 20, 150

    def y(v):
        return _r(bottom - (bottom - top) * v / most)

    return {
        "width": WIDTH,
        "height": bottom + 30,
        "left": left,
        "right": right,
        "bottom": bottom,
        "bar": {
            "x": left + 40,
            "width": 120,
            "y": y(actual),
            "height": _r(bottom - float(y(actual))),
            "value": actual,
        },
        "lines": [
            {
                "y": y(g["target"]),
                "label_y": _r(float(y(g["target"])) + 5),
                "year": g["year"],
                "target": g["target"],
                "met": g["met"],
            }
            for g in goals
        ],
        "label_y": bottom + 20,
    }
