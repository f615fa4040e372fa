"""The school rules of an import: every row parsed under the school columns, checked as the
model checks a school, and judged against what the user may do (create under an authority they
may assign, change only schools they may edit, never move a core school to another authority —
policy L-1). The result is a plan: what would be created, updated, left alone, and every error
by row and column."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from members.imports.spec import (
    COLUMN_BY_FIELD,
    COLUMNS,
    HEADERS,
    SCHOOL_SPEC,
    district_spellings,
    school_cells,
)
from members.models import Authority, District, School, User
from members.permissions import can_edit_school
from members.selectors import authorities_user_may_assign, school_list_for_user
from members.services import check_core_school_keeps_authority, led_group_names
from qingdao_groups.core.tabular import RowError, Table
from qingdao_groups.core.tabular.spec import compact, normalize_key


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class RowPlan:
    row: int
    code: str
    name: str
    cells: dict[str, str]  # header -> the value as it would be exported
    school_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportPreview:
    total_rows: int = 0
    creates: list[RowPlan] = field(default_factory=list)
    updates: list[RowPlan] = field(default_factory=list)
    unchanged: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    digest: str = ""
    token: str = ""  # set only when the file is clean and changes something

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates)

    @property
    def can_commit(self) -> bool:
        return not self.errors and self.has_changes and bool(self.token)

    @property
    def headers(self) -> tuple[str, ...]:
        return HEADERS


@dataclass
class Context:
    user: User
    existing: dict[str, School]
    visible_codes: set[str]
    authorities: dict[str, Authority]
    districts: dict[str, District | None]  # spelling -> district; None: more than one
    assignable_ids: set[int]
    seen: dict[str, int] = field(default_factory=dict)
    led: dict[int, list[str]] = field(default_factory=dict)

    def authority(self, text: str) -> Authority:
        """The authority a cell names (its full name, as in the system)."""
        authority = self.authorities.get(text.strip())
        if authority is None:
            raise ValidationError(
                _("系统中没有名为“%(name)s”的教育行政部门，请填写部门全称。") % {"name": text}
            )
        if not authority.is_education:
            raise ValidationError(
                _("“%(name)s”不是教育行政部门，学校只能由市或区（市）教育行政部门主管。")
                % {"name": text}
            )
        return authority

    def district(self, text: str) -> District:
        """The district a cell names: its name (or part of one in brackets) or its code."""
        key = normalize_key(text)
        if key not in self.districts:
            raise ValidationError(_("系统中没有名为“%(name)s”的区（市）。") % {"name": text})
        district = self.districts[key]
        if district is None:
            raise ValidationError(
                _("有多个区（市）名为“%(name)s”，请填写区（市）代码。") % {"name": text}
            )
        return district


def _district_spellings() -> dict[str, District | None]:
    spellings: dict[str, District | None] = {}
    for district in District.objects.all():
        for spelling in dict.fromkeys(normalize_key(s) for s in district_spellings(district)):
            seen = spellings.get(spelling, district)
            spellings[spelling] = district if seen == district else None
    return spellings


@dataclass
class Plan:
    preview: ImportPreview
    new_schools: list[School] = field(default_factory=list)
    changed_schools: list[School] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)


def plan_import(*, user: User, table: Table, lock: bool) -> Plan:
    """Validate every row of `table` for `user`; with `lock`, the existing schools it names are
    locked (the commit plans again under these locks)."""
    codes = {compact(row.cells.get("code", "")) for row in table.rows} - {""}
    existing_qs = School.objects.select_related("authority", "district").filter(code__in=codes)
    if lock:
        existing_qs = existing_qs.select_for_update(of=("self",))
    existing = {s.code: s for s in existing_qs}
    ctx = Context(
        user=user,
        existing=existing,
        visible_codes=set(
            school_list_for_user(user=user).filter(code__in=codes).values_list("code", flat=True)
        ),
        authorities={a.name: a for a in Authority.objects.all()},
        districts=_district_spellings(),
        assignable_ids=set(authorities_user_may_assign(user=user).values_list("pk", flat=True)),
        # Core schools of groups in being: their authority approves the group (policy L-1).
        led=led_group_names(s.pk for s in existing.values()),
    )
    plan = Plan(preview=ImportPreview(total_rows=len(table.rows)))
    for number, row in table.rows:
        _plan_row(plan, ctx, number, row)
    plan.preview.digest = _digest(plan.preview)
    return plan


def _plan_row(plan: Plan, ctx: Context, number: int, row: dict[str, str]) -> None:
    parsed = SCHOOL_SPEC.parse_row(
        number, row, resolvers={"authority": ctx.authority, "district": ctx.district}
    )
    errors: list[RowError] = list(parsed.errors)
    values = parsed.values

    def error(field_name: str | None, message: str) -> None:
        errors.append(RowError(number, SCHOOL_SPEC.header_of(field_name), str(message)))

    code = values.get("code", "")
    if code:
        if code in ctx.seen:
            error("code", _("与第%(row)d行的学校标识码重复。") % {"row": ctx.seen[code]})
            code = ""  # the first row wins; this one is only an error
        else:
            ctx.seen[code] = number

    existing = ctx.existing.get(code) if code else None
    if existing is not None:
        school = existing
        old_cells = school_cells(school)
        old_authority_id = school.authority_id
    else:
        school = School()
        old_cells = None
        old_authority_id = None
    for name, value in values.items():
        setattr(school, name, value)

    failed = {f for f in COLUMN_BY_FIELD if COLUMN_BY_FIELD[f].header in {e.column for e in errors}}
    try:
        # The authority and district were looked up above; full_clean would query them again.
        school.full_clean(
            exclude=[*failed, "authority", "district"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                error(None if name == NON_FIELD_ERRORS else name, message)

    cells = school_cells(school) if not failed or existing is not None else {}
    plan_row = RowPlan(
        row=number,
        code=code or row.get("code", ""),
        name=row.get("name", ""),
        cells=cells,
        school_id=existing.pk if existing is not None else None,
    )

    if existing is None:
        authority = values.get("authority")
        if authority is not None and authority.pk not in ctx.assignable_ids:
            error(
                "authority",
                _("您无权在“%(authority)s”名下登记学校。") % {"authority": authority.name},
            )
    else:
        assert old_cells is not None
        plan_row.changes = [
            FieldChange(header, old_cells[header], cells[header])
            for header in HEADERS
            if old_cells[header] != cells.get(header, old_cells[header])
        ]
        if plan_row.changes or errors:
            _check_may_update(ctx, existing, old_authority_id, values, error)

    if errors:
        plan.preview.errors.extend(errors)
    elif existing is None:
        plan.preview.creates.append(plan_row)
        plan.new_schools.append(school)
    elif plan_row.changes:
        plan.preview.updates.append(plan_row)
        plan.changed_schools.append(school)
        plan.changed_fields.update(
            c.field for c in COLUMNS if c.header in {ch.column for ch in plan_row.changes}
        )
    else:
        plan.preview.unchanged.append(plan_row)


def _check_may_update(ctx: Context, school: School, old_authority_id, values, error) -> None:
    """An existing code updates that school only if the user may edit it (a district only the
    schools under its own authority); a row that changes nothing needs no permission. A core
    school keeps its authority (policy L-1, the rule the school form applies too)."""
    as_it_was = School(pk=school.pk, authority_id=old_authority_id)
    decision = can_edit_school(ctx.user, as_it_was)
    if not decision:
        if school.code in ctx.visible_codes:
            message = _("该学校标识码已登记为“%(name)s”，本行会修改这所学校，但%(reason)s") % {
                "name": ctx.existing[school.code].name,
                "reason": decision.reason,
            }
        else:
            message = _("该学校标识码已由其他部门登记，您无权修改这所学校。")
        error("code", message)
        return
    authority = values.get("authority")
    if (
        authority is not None
        and authority.pk != old_authority_id
        and (authority.pk not in ctx.assignable_ids)
    ):
        error(
            "authority", _("您无权把学校划归“%(authority)s”主管。") % {"authority": authority.name}
        )
    else:
        decision = check_core_school_keeps_authority(
            school_id=school.pk,
            old_authority_id=old_authority_id,
            new_authority_id=authority.pk if authority is not None else None,
            led=ctx.led,
        )
        if not decision:
            error("authority", str(decision.reason))


def _digest(preview: ImportPreview) -> str:
    """What the user saw and confirms: any change in the database since makes it differ."""
    payload = {
        "creates": [[p.row, p.code, p.cells] for p in preview.creates],
        "updates": [
            [p.row, p.code, p.school_id, [[c.column, c.old, c.new] for c in p.changes]]
            for p in preview.updates
        ],
        "errors": [[e.row, e.column] for e in preview.errors],
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()
