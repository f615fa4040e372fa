"""The city's chart of subsidy, fees and allowances over the years (policy F-1, F-2, F-4), drawn
by the server as SVG geometry the template writes out: no script, readable in both languages
(the labels are the template's translated texts), with a table of the same figures beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from funding.overview.selectors import RULES, Totals

WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP, BOTTOM = 60, 8, 28, 36
# Okabe–Ito colours: told apart with the common colour-vision deficiencies.
COLOURS = {RULES[0]: "#0072B2", RULES[1]: "#D55E00", RULES[2]: "#009E73"}
TEN_THOUSAND = Decimal(10_000)


@dataclass(frozen=True)
class Bar:
    year: int
    rule: str
    amount: Decimal
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str  # in 万元 (10,000 yuan)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5, 10 × a power of ten at or above `value` (> 0)."""
    magnitude = Decimal(10) ** math.floor(math.log10(value))
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop ends at 10


def _wan(value: Decimal) -> str:
    text = f"{value / TEN_THOUSAND:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def year_chart(years: list[int], by_year: dict[int, Totals]) -> dict | None:
    """Stacked bars, one per year, F-1 at the bottom, then F-2 and F-4; y ticks in 万元."""
    if not years:
        return None
    heights = {
        y: sum((max(by_year[y].by_rule[r], Decimal(0)) for r in RULES), Decimal(0)) for y in years
    }
    top = max(heights.values())
    scale = nice_ceiling(top) if top > 0 else Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    ticks = [Tick(round(TOP + plot_h - plot_h * i / 4, 1), _wan(scale * i / 4)) for i in range(5)]
    band = plot_w / len(years)
    bar_w = min(56.0, band * 0.6)
    bars, labels = [], []
    for i, year in enumerate(years):
        x = LEFT + band * i + (band - bar_w) / 2
        base = float(TOP + plot_h)
        for rule in RULES:
            amount = by_year[year].by_rule[rule]
            h = float(max(amount, Decimal(0)) / scale) * plot_h
            base -= h
            bars.append(
                Bar(
                    year,
                    rule,
                    amount,
                    round(x, 1),
                    round(base, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    COLOURS[rule],
                )
            )
        labels.append((year, round(LEFT + band * i + band / 2, 1)))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "base": TOP + plot_h,
        "label_y": HEIGHT - 10,
        "bars": bars,
        "ticks": ticks,
        "years": labels,
        "legend": [(rule, COLOURS[rule]) for rule in RULES],
    }
