"""The columns of the bureaus' school list: headers as the file spells them (Chinese, whatever
the interface language), the spellings also accepted, and each column's type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy

from members.models import District, School, validate_school_code
from qingdao_groups.core.tabular import (
    Boolean,
    Choice,
    Code,
    Column,
    Lookup,
    TableSpec,
    Text,
    Year,
)


def district_spellings(district: District) -> list[str]:
    """How a file may name a district: its code, its name in any interface language, and the
    parts of a name with a bracket (黄岛区（西海岸新区） is also written 黄岛区 or 西海岸新区)."""
    names = [district.name]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.append(str(district))
    spellings = [district.code]
    for name in names:
        spellings.append(name)
        spellings.extend(p for p in re.split(r"[（）()]", name) if p.strip())
    return spellings


def _max_length(field_name: str) -> int | None:
    model_field = School._meta.get_field(field_name)
    assert isinstance(model_field, models.CharField)
    return model_field.max_length


COLUMNS: tuple[Column, ...] = (
    Column(
        "学校名称",
        "name",
        Text(max_length=_max_length("name")),
        required=True,
        aliases=("校名",),
        width=28,
    ),
    Column(
        "学校标识码",
        "code",
        Code(validators=(validate_school_code,)),
        required=True,
        aliases=("标识码", "学校代码"),
        width=14,
    ),
    # Resolved against the authorities in the database by validate.py.
    Column(
        "主管教育行政部门",
        "authority",
        Lookup(display_field="name"),
        required=True,
        aliases=("主管部门",),
        width=24,
    ),
    Column(
        "所在区（市）",
        "district",
        # Resolved against the districts in the database (by name, part of it, or code).
        Lookup(display_field="name"),
        required=True,
        aliases=("所在区市", "区（市）", "区市", "所在区"),
        width=18,
    ),
    Column("学段", "stage", Choice(School.Stage), required=True, width=14),
    Column("办学性质", "nature", Choice(School.Nature), required=True, width=10),
    Column(
        "薄弱学校", "is_weak", Boolean(), aliases=("薄弱学校（是/否）", "是否薄弱学校"), width=10
    ),
    Column("薄弱学校认定年份", "weak_rated_year", Year(), aliases=("认定年份",), width=16),
    Column(
        "独立法人",
        "is_legal_entity",
        Boolean(),
        aliases=("独立法人（是/否）", "是否独立法人"),
        width=10,
    ),
    Column(
        "校长",
        "principal_name",
        Text(max_length=_max_length("principal_name")),
        aliases=("校长姓名",),
        width=12,
    ),
)
SCHOOL_SPEC = TableSpec(
    columns=COLUMNS, empty_message=gettext_lazy("文件中没有学校数据。"), sheet_title="学校"
)
HEADERS: tuple[str, ...] = SCHOOL_SPEC.headers
COLUMN_BY_FIELD = SCHOOL_SPEC.by_field


def school_values(school: School) -> dict[str, Any]:
    """A school's values under the spec's fields."""
    values = {
        c.field: getattr(school, c.field)
        for c in COLUMNS
        if c.field not in ("authority", "district")
    }
    values["authority"] = school.authority if school.authority_id else None
    values["district"] = school.district if school.district_id else None
    return values


def school_cells(school: School) -> dict[str, str]:
    """A school as the text of its spreadsheet row (what export writes, what preview compares)."""
    return SCHOOL_SPEC.format_row(school_values(school))


def school_text_rows(schools: QuerySet[School], *, chunk_size: int) -> Iterator[list[str]]:
    """The text of each school's row, as `school_cells` gives it, read as plain values a chunk
    at a time (a server-side cursor on PostgreSQL): no School, Authority and District objects
    per row, which took most of the time of exporting the whole data set (issue 7)."""
    rows = schools.values_list(*SCHOOL_SPEC.value_fields).iterator(chunk_size=chunk_size)
    return map(SCHOOL_SPEC.text_row, rows)
