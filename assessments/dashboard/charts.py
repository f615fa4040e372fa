"""The dashboard's figures as chart data (issue 10): plain lists of labels and numbers in the
reader's language, put into the page with `json_script` and drawn by static/js/dashboard.js
(Chart.js, vendored). Every chart's numbers are also printed as a table under it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from groups.registry.models import RelationSubtype
from members.models import School


def _number(value) -> float | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


def district_name(name: str) -> str:
    """A district's name is data; the catalogue translates Qingdao's ten (members.selectors)."""
    return _(name)


def charts(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{chart id: {type, labels, datasets, …}} for every figure that has rows."""
    out: dict[str, dict[str, Any]] = {}
    years = figures["years"]["rows"]
    if years:
        targets = {t["year"]: t["target"] for t in figures["years"]["targets"]}
        datasets: list[dict[str, Any]] = [
            {"label": _("年末在办集团数"), "data": [r["in_being"] for r in years], "type": "line"},
            {"label": _("新成立"), "data": [r["founded"] for r in years]},
            {"label": _("撤销"), "data": [r["dissolved"] for r in years]},
        ]
        if figures["whole_city"]:
            datasets.append(
                {
                    "label": _("A-5 目标"),
                    "data": [targets.get(r["year"]) for r in years],
                    "type": "line",
                    "target": True,
                }
            )
        out["groups"] = {
            "type": "bar",
            "labels": [str(r["year"]) for r in years],
            "datasets": datasets,
        }
    coverage = figures["coverage"]
    if coverage["by_district"]:
        out["coverage_district"] = {
            "type": "bar",
            "horizontal": True,
            "unit": "%",
            "max": 100,
            "labels": [district_name(r["name"]) for r in coverage["by_district"]],
            "datasets": [
                {
                    "label": _("覆盖率（%）"),
                    "data": [_number(r["share"]) for r in coverage["by_district"]],
                }
            ],
        }
        stages = dict(School.Stage.choices)
        out["coverage_stage"] = {
            "type": "bar",
            "horizontal": True,
            "unit": "%",
            "max": 100,
            "labels": [str(stages.get(r["stage"], r["stage"])) for r in coverage["by_stage"]],
            "datasets": [
                {
                    "label": _("覆盖率（%）"),
                    "data": [_number(r["share"]) for r in coverage["by_stage"]],
                }
            ],
        }
    types = figures["types"]
    if types["total"]:
        subtypes = dict(RelationSubtype.choices)
        rows = [s for t in types["types"] for s in t["subtypes"]]
        out["types"] = {
            "type": "bar",
            "horizontal": True,
            "labels": [f"{s['subtype']} {subtypes[s['subtype']]}" for s in rows],
            "datasets": [{"label": _("成员校数"), "data": [s["count"] for s in rows]}],
        }
    weak = figures["weak"]
    if weak["groups"]:
        out["weak"] = {
            "type": "bar",
            "labels": [_("达到最低占比"), _("低于最低占比"), _("没有成员校")],
            "datasets": [
                {
                    "label": _("集团数"),
                    "data": [
                        weak["groups"] - weak["below"],
                        weak["below"] - weak["no_members"],
                        weak["no_members"],
                    ],
                }
            ],
        }
    if figures["cards"]:
        out["cards"] = {
            "type": "bar",
            "stacked": True,
            "labels": [str(r["year"]) for r in figures["cards"]],
            "datasets": [
                {
                    "label": _("黄牌"),
                    "data": [r["yellow"] for r in figures["cards"]],
                    "color": "yellow",
                },
                {"label": _("红牌"), "data": [r["red"] for r in figures["cards"]], "color": "red"},
            ],
        }
    if figures["subsidies"]:
        rows = figures["subsidies"]
        out["subsidies"] = {
            "type": "bar",
            "stacked": True,
            "unit": _("元"),
            "labels": [str(r["year"]) for r in rows],
            "datasets": [
                {"label": _("F-1 成员校专项奖补"), "data": [_number(r["f1"]) for r in rows]},
                {"label": _("F-2 合作协议费用"), "data": [_number(r["f2"]) for r in rows]},
                {"label": _("F-4 派驻人员补助"), "data": [_number(r["f4"]) for r in rows]},
            ],
        }
    return out
