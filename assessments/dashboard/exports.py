"""The dashboard's figures as one XLSX workbook, one sheet per figure (issue 10), written by the
shared tabular writer (qingdao_groups.core.tabular.writing) in the reader's language."""

from __future__ import annotations

import datetime
import tempfile
from typing import Any

from django.utils.translation import gettext as _

from assessments.dashboard.charts import district_name
from groups.registry.models import RelationSubtype, RelationType
from members.models import School
from qingdao_groups.core.tabular.spec import Column, Integer, Money, TableSpec, Text
from qingdao_groups.core.tabular.writing import (
    XLSX_CONTENT_TYPE,
    ExportStream,
    write_xlsx_sheets_to,
)


def _spec(title: str, *columns: tuple[str, Any]) -> TableSpec:
    return TableSpec(
        columns=tuple(
            Column(header=header, field=f"c{i}", type=kind, width=max(12, len(header) * 2))
            for i, (header, kind) in enumerate(columns)
        ),
        sheet_title=title,
    )


def _pct(value) -> str:
    return "" if value is None else f"{value}%"


def dashboard_sheets(figures: dict[str, Any], *, day: datetime.date) -> list[tuple]:
    """(spec, rows) per figure, the same numbers the page shows."""
    text, number, money = Text(), Integer(), Money()
    years = figures["years"]
    sheets: list[tuple] = [
        (
            _spec(
                _("集团数量"),
                (_("年度"), number),
                (_("新成立"), number),
                (_("撤销"), number),
                (_("年末在办集团数"), number),
                (_("截至"), text),
            ),
            [
                (r["year"], r["founded"], r["dissolved"], r["in_being"], r["as_of"].isoformat())
                for r in years["rows"]
            ],
        )
    ]
    if figures["whole_city"]:
        sheets.append(
            (
                _spec(
                    _("A-5 目标"),
                    (_("年度"), number),
                    (_("目标"), number),
                    (_("实际"), number),
                    (_("截至"), text),
                    (_("是否达成"), text),
                ),
                [
                    (
                        t["year"],
                        t["target"],
                        t["actual"],
                        t["as_of"].isoformat(),
                        {"met": _("已达成"), "missed": _("未达成"), "open": _("进行中")}[
                            t["state"]
                        ],
                    )
                    for t in years["targets"]
                ],
            )
        )
    coverage = figures["coverage"]
    stages = dict(School.Stage.choices)
    cover_columns = ((_("学校数"), number), (_("在集团中"), number), (_("覆盖率"), text))
    sheets += [
        (
            _spec(_("覆盖率（区市）"), (_("区（市）"), text), *cover_columns),
            [
                (district_name(r["name"]), r["total"], r["in_group"], _pct(r["share"]))
                for r in coverage["by_district"]
            ]
            + [(_("合计"), coverage["total"], coverage["in_group"], _pct(coverage["share"]))],
        ),
        (
            _spec(_("覆盖率（学段）"), (_("学段"), text), *cover_columns),
            [
                (
                    str(stages.get(r["stage"], r["stage"])),
                    r["total"],
                    r["in_group"],
                    _pct(r["share"]),
                )
                for r in coverage["by_stage"]
            ],
        ),
    ]
    types = dict(RelationType.choices)
    subtypes = dict(RelationSubtype.choices)
    sheets.append(
        (
            _spec(
                _("合作类型"),
                (_("合作类型"), text),
                (_("合作子类型"), text),
                (_("成员校数"), number),
            ),
            [
                (
                    f"{t['type']} {types[t['type']]}",
                    f"{s['subtype']} {subtypes[s['subtype']]}",
                    s["count"],
                )
                for t in figures["types"]["types"]
                for s in t["subtypes"]
            ],
        )
    )
    weak = figures["weak"]
    sheets.append(
        (
            _spec(
                _("薄弱学校占比"),
                (_("集团编号"), text),
                (_("集团名称"), text),
                (_("成员校数"), number),
                (_("薄弱学校数"), number),
                (_("占比"), text),
                (_("低于最低占比"), text),
            ),
            [
                (
                    r["code"],
                    r["name"],
                    r["members"],
                    r["weak"],
                    _pct(r["share"]),
                    _("是") if r["below"] else _("否"),
                )
                for r in weak["rows"]
            ]
            + [("", _("合计"), weak["members"], weak["weak"], _pct(weak["share"]), "")],
        )
    )
    sheets.append(
        (
            _spec(_("黄牌红牌"), (_("年度"), number), (_("黄牌"), number), (_("红牌"), number)),
            [(r["year"], r["yellow"], r["red"]) for r in figures["cards"]],
        )
    )
    sheets.append(
        (
            _spec(
                _("经费"),
                (_("财政年度"), number),
                (_("F-1 成员校专项奖补（元）"), money),
                (_("F-2 合作协议费用（元）"), money),
                (_("F-4 派驻人员补助（元）"), money),
                (_("合计（元）"), money),
                (_("其中已锁定（元）"), money),
                (_("台账数"), number),
            ),
            [
                (r["year"], r["f1"], r["f2"], r["f4"], r["total"], r["locked"], r["ledgers"])
                for r in figures["subsidies"]
            ],
        )
    )
    sheets.append(
        (
            _spec(
                _("进行中的评估周期"),
                (_("周期名称"), text),
                (_("组织部门"), text),
                (_("评估期起"), text),
                (_("评估期止"), text),
                (_("当前步骤"), text),
                (_("本步骤截止"), text),
                (_("涉及集团数"), number),
            ),
            [
                (
                    c["name"],
                    c["authority"],
                    c["period_start"].isoformat(),
                    c["period_end"].isoformat(),
                    c["status_label"],
                    c["due"].isoformat() if c["due"] else "",
                    c["groups"],
                )
                for c in figures["cycles"]
            ],
        )
    )
    return sheets


def dashboard_workbook(figures: dict[str, Any], *, day: datetime.date) -> ExportStream:
    """The workbook in a temporary file, at its start (closed by the response)."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    try:
        write_xlsx_sheets_to(dashboard_sheets(figures, day=day), file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return ExportStream(
        filename=f"dashboard-{day.isoformat()}.xlsx", content_type=XLSX_CONTENT_TYPE, file=file
    )
