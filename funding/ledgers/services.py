"""Computing, confirming, returning and locking yearly ledgers (policy F-1, F-2, F-4; issue 9).

Computing a year is idempotent: the rules' lines for each (group, paying authority) are hashed
(`lines_digest`); a ledger whose digest is unchanged is not touched, so a second run writes
nothing. A draft whose lines changed is rewritten (its history row says "计算"); a confirmed one
goes back to draft first (`recompute`, it must be confirmed again). A locked ledger is never
rewritten: the difference between what the rules give now and what the locked ledgers of the
year hold is booked as adjustment lines, each naming the locked line it adjusts, in a
supplementary ledger (sequence 2, 3 …) that goes through the same steps.

The whole data set is computed in one pass (`ledgers_compute`): facts are read in a handful of
queries (`inputs.year_facts`), new ledgers and lines are written in bulk with their history
rows, and only changed ledgers go through the workflow runner one by one."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from funding import rules
from funding.agreements.models import Receivable
from funding.ledgers import inputs
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.permissions import can_confirm_ledger, can_lock_ledger, can_return_ledger
from funding.ledgers.workflows import LEDGER_TRANSITIONS, LedgerAction, LedgerStatus
from members.models import User
from qingdao_groups.core.locks import hold_named_lock
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import lock, stamp, transition

Key = tuple[int, int]  # (group id, paying authority id)


def _line_payload(line: rules.LineDraft) -> dict:
    return {
        "rule": line.rule,
        "subject": [line.subject_kind, line.subject_id, line.slot],
        "member": line.member_school_id,
        "payer": [line.payer.kind, line.payer.id, line.payer.name],
        "payee": [line.payee.kind, line.payee.id, line.payee.name],
        "period": [line.period_start.isoformat(), line.period_end.isoformat()],
        "inputs": line.inputs,
        "formula": line.formula,
        "amount": str(line.amount),
        "applicable": line.applicable,
        "reason": line.reason_code,
        "adjusts": getattr(line, "adjusts_line_id", None),
    }


def lines_digest(lines: list[rules.LineDraft]) -> str:
    """A fingerprint of a ledger's lines, to tell whether a computation changed anything."""
    text = json.dumps([_line_payload(line) for line in lines], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Adjustment(rules.LineDraft):
    """A line booking the difference against what the locked ledgers hold (never a rewrite)."""

    adjusts_line_id: int | None = None


@dataclass
class ComputeResult:
    year: int
    created: int = 0
    rewritten: int = 0
    unchanged: int = 0
    supplements: int = 0
    lines_written: int = 0
    ledgers: list[int] = field(default_factory=list)


def _adjustments(
    drafts: list[rules.LineDraft], booked: dict[tuple, rules.Booked], booked_lines: dict[int, dict]
) -> list[rules.LineDraft]:
    """Adjustment lines: for every line key, what the rules give now minus what the locked
    ledgers hold; nothing where they agree."""
    out: list[rules.LineDraft] = []
    seen: set[tuple] = set()
    for line in drafts:
        seen.add(line.key)
        held = booked.get(line.key)
        diff = rules.adjustment_amount(line.amount, held.amount if held else Decimal("0"))
        if diff == 0:
            continue
        locked_text = rules.money_text(held.amount) if held else "0.00"
        out.append(
            Adjustment(
                **{
                    **line.__dict__,
                    "inputs": line.inputs
                    | {
                        "recomputed": str(line.amount),
                        "locked": str(held.amount) if held else "0.00",
                        "locked_line": held.line_id if held else None,
                    },
                    "formula": (
                        f"调整：重新计算 {rules.money_text(line.amount)} 元（{line.formula}）"
                        f" − 已锁定 {locked_text} 元 = {rules.money_text(diff)} 元"
                    ),
                    "amount": diff,
                    "applicable": True,
                    "reason_code": "funding.adjustment",
                },
                adjusts_line_id=held.line_id if held else None,
            )
        )
    # A line the locked year holds that the rules no longer give: reverse it.
    for key, held in booked.items():
        if key in seen or held.amount == 0:
            continue
        row = booked_lines[held.line_id]
        out.append(
            Adjustment(
                group_id=row["group_id"],
                ledger_authority_id=row["authority_id"],
                rule=key[0],
                subject_kind=key[1],
                subject_id=key[2],
                slot=key[3],
                member_school_id=row["member_school_id"],
                payer=rules.Party(row["payer_kind"], row["payer_id"], row["payer_name"]),
                payee=rules.Party(row["payee_kind"], row["payee_id"], row["payee_name"]),
                period_start=row["period_start"],
                period_end=row["period_end"],
                inputs={
                    "recomputed": "0.00",
                    "locked": str(held.amount),
                    "locked_line": held.line_id,
                },
                formula=(
                    f"调整：重新计算不再产生此项 − 已锁定 {rules.money_text(held.amount)} 元 = "
                    f"{rules.money_text(-held.amount)} 元"
                ),
                amount=-held.amount,
                applicable=True,
                reason_code="funding.adjustment",
                adjusts_line_id=held.line_id,
            )
        )
    return out


def _line_rows(ledger: Ledger, lines: list[rules.LineDraft]) -> list[LedgerLine]:
    rows = []
    for position, line in enumerate(lines, start=1):
        subject = {f"{line.subject_kind}_id": line.subject_id}
        rows.append(
            LedgerLine(
                ledger=ledger,
                position=position,
                rule=line.rule,
                subject_kind=line.subject_kind,
                slot=line.slot,
                member_school_id=line.member_school_id,
                payer_kind=line.payer.kind,
                payer_id=line.payer.id,
                payer_name=line.payer.name[:100],
                payee_kind=line.payee.kind,
                payee_id=line.payee.id,
                payee_name=line.payee.name[:100],
                period_start=line.period_start,
                period_end=line.period_end,
                inputs=line.inputs,
                formula=line.formula,
                amount=rules.fen(line.amount),
                applicable=line.applicable,
                reason_code=line.reason_code,
                is_adjustment=isinstance(line, Adjustment),
                adjusts_id=getattr(line, "adjusts_line_id", None),
                **subject,
            )
        )
    return rows


def _booked(year: int, group_ids: set[int] | None, *, before_sequence: int | None = None):
    """What the locked ledgers of the year hold, per (group, authority) and line key (only
    those numbered before `before_sequence` when given: what a supplement was computed
    against)."""
    lines = LedgerLine.objects.filter(ledger__fiscal_year=year, ledger__status=LedgerStatus.LOCKED)
    if group_ids is not None:
        lines = lines.filter(ledger__group_id__in=group_ids)
    if before_sequence is not None:
        lines = lines.filter(ledger__sequence__lt=before_sequence)
    booked: dict[Key, dict[tuple, rules.Booked]] = defaultdict(dict)
    rows: dict[int, dict] = {}
    for row in lines.values(
        "id",
        "ledger_id",
        "ledger__group_id",
        "ledger__authority_id",
        "rule",
        "subject_kind",
        "membership_id",
        "agreement_id",
        "dispatch_id",
        "slot",
        "amount",
        "member_school_id",
        "payer_kind",
        "payer_id",
        "payer_name",
        "payee_kind",
        "payee_id",
        "payee_name",
        "period_start",
        "period_end",
    ).order_by("ledger__sequence", "position"):
        subject = row["membership_id"] or row["agreement_id"] or row["dispatch_id"]
        key = (row["rule"], row["subject_kind"], subject, row["slot"])
        owner = (row["ledger__group_id"], row["ledger__authority_id"])
        held = booked[owner].get(key)
        amount = row["amount"] + (held.amount if held else 0)
        booked[owner][key] = rules.Booked(
            amount=amount, line_id=row["id"], ledger_id=row["ledger_id"]
        )
        rows[row["id"]] = row | {
            "group_id": row["ledger__group_id"],
            "authority_id": row["ledger__authority_id"],
        }
    return booked, rows


RULE_TOTAL_FIELDS = {"F-1": "total_f1", "F-2": "total_f2", "F-4": "total_f4"}


def _rule_totals(lines: list[rules.LineDraft]) -> dict[str, Decimal]:
    """A ledger's sums per rule, kept on the ledger so that the city's and an authority's
    totals add up ledgers, not their lines (issue 9: a quarter of a million lines nationally)."""
    return {
        name: rules.total(line.amount for line in lines if line.rule == rule)
        for rule, name in RULE_TOTAL_FIELDS.items()
    }


@transaction.atomic
def ledgers_compute(
    *,
    year: int,
    group_ids: set[int] | list[int] | None = None,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> ComputeResult:
    """Compute the fiscal year's ledgers for the given groups (every group when None) from the
    facts as they are now. Idempotent; never rewrites a locked ledger (see the module's text).
    The caller checks who may ask (`permissions.can_compute_group_ledgers`); a task passes no
    actor."""
    now = now or timezone.now()
    wanted = None if group_ids is None else set(group_ids)
    # One computation of a year at a time: two at once would both find no ledger for a
    # (group, authority) and both insert one (the second failing on `ledger_once`). Taken
    # before the facts are read, so the second reads what the first committed.
    hold_named_lock(f"funding.ledgers.compute.{year}")
    facts = inputs.year_facts(year, group_ids=wanted)
    drafts: dict[Key, list[rules.LineDraft]] = defaultdict(list)
    for line in inputs.year_lines(facts):
        drafts[(line.group_id, line.ledger_authority_id)].append(line)

    existing = Ledger.objects.filter(fiscal_year=year).select_for_update(of=("self",))
    if wanted is not None:
        existing = existing.filter(group_id__in=wanted)
    ledgers: dict[Key, list[Ledger]] = defaultdict(list)
    for ledger in existing.order_by("sequence"):
        ledgers[(ledger.group_id, ledger.authority_id)].append(ledger)
    booked, booked_rows = _booked(year, wanted)

    result = ComputeResult(year=year)
    new_ledgers: list[Ledger] = []
    new_lines: dict[int, list[rules.LineDraft]] = {}  # index in new_ledgers → lines
    rewrite: list[tuple[Ledger, list[rules.LineDraft]]] = []
    drop: list[Ledger] = []
    for key in sorted(set(drafts) | set(ledgers)):
        lines = drafts.get(key, [])
        held = ledgers.get(key, [])
        locked = [x for x in held if x.status == LedgerStatus.LOCKED]
        open_ledger = next((x for x in held if x.status != LedgerStatus.LOCKED), None)
        if locked:
            lines = _adjustments(lines, booked.get(key, {}), booked_rows)
        digest = lines_digest(lines)
        if open_ledger is None:
            if not lines:
                continue
            new_ledgers.append(
                Ledger(
                    group_id=key[0],
                    authority_id=key[1],
                    fiscal_year=year,
                    sequence=max((x.sequence for x in held), default=0) + 1,
                    status=LedgerStatus.DRAFT,
                    total=rules.total(line.amount for line in lines),
                    line_count=len(lines),
                    **_rule_totals(lines),
                    digest=digest,
                    computed_at=now,
                    computed_by=actor,
                )
            )
            new_lines[len(new_ledgers) - 1] = lines
        elif open_ledger.digest == digest:
            result.unchanged += 1
        elif locked and not lines:
            drop.append(open_ledger)
        else:
            rewrite.append((open_ledger, lines))
        if locked and lines:
            result.supplements += 1

    if new_ledgers:
        created = bulk_create_with_history(
            new_ledgers,
            Ledger,
            batch_size=2000,
            default_user=actor,
            default_change_reason=str(LedgerAction.COMPUTE.label),
            default_date=now,
        )
        rows: list[LedgerLine] = []
        for index, ledger in enumerate(created):
            rows += _line_rows(ledger, new_lines[index])
            result.ledgers.append(ledger.pk)
        _write_lines(rows, actor=actor, now=now)
        result.created = len(created)
        result.lines_written += len(rows)

    if rewrite:
        # The lines of every rewritten ledger are replaced in bulk (their removal audited in
        # bulk too); only the ledgers' own moves go through the workflow runner one by one.
        _delete_lines([ledger.pk for ledger, _lines in rewrite], actor=actor, now=now)
        rows = [row for ledger, lines in rewrite for row in _line_rows(ledger, lines)]
        _write_lines(rows, actor=actor, now=now)
        result.lines_written += len(rows)
    for ledger, lines in rewrite:
        action = (
            LedgerAction.COMPUTE if ledger.status == LedgerStatus.DRAFT else LedgerAction.RECOMPUTE
        )
        changes = {
            "total": rules.total(line.amount for line in lines),
            "line_count": len(lines),
            **_rule_totals(lines),
            "digest": lines_digest(lines),
            "computed_at": now,
            "computed_by": actor,
            "confirmed_at": None,
            "confirmed_by": None,
        }
        transition(
            ledger,
            action=action,
            table=LEDGER_TRANSITIONS,
            actor=actor,
            expected_version=None,
            changes=changes,
            now=now,
        )
        result.rewritten += 1
        result.ledgers.append(ledger.pk)
    for ledger in drop:
        # A supplement whose adjustments came to nothing: the year agrees with its lock again.
        ledger.lines.all().delete()
        stamp(ledger, actor=actor, now=now)
        ledger.delete()
    _receivables_sync(year, wanted, now=now, actor=actor)
    return result


def _delete_lines(ledger_ids: list[int], *, actor, now) -> None:
    """Remove the lines of the given (open) ledgers in a few queries, writing their deletion
    rows to the audit history as `delete()` would one by one. Open ledgers' lines are never
    referred to by an adjustment (only locked lines are)."""
    historical: Any = LedgerLine.history.model
    reason = str(LedgerAction.COMPUTE.label)
    for start in range(0, len(ledger_ids), DELETE_CHUNK):  # SQLite's limit on parameters
        chunk = LedgerLine.objects.filter(ledger_id__in=ledger_ids[start : start + DELETE_CHUNK])
        historical.objects.bulk_create(
            [
                historical(
                    history_date=now,
                    history_user=actor,
                    history_change_reason=reason,
                    history_type="-",
                    **{
                        field.attname: getattr(line, field.attname)
                        for field in historical.tracked_fields
                    },
                )
                for line in chunk
            ],
            batch_size=2000,
        )
        chunk._raw_delete(chunk.db)


DELETE_CHUNK = 500


def _write_lines(rows: list[LedgerLine], *, actor, now) -> None:
    """The lines in bulk, then their history rows copied from them by the database (what
    `bulk_create_with_history` writes, without building a historical instance a line in Python:
    at nation scale that was about half of the year's computation — demobench, issue 9)."""
    created = LedgerLine.objects.bulk_create(rows, batch_size=2000)
    ids = [row.pk for row in created]
    if None in ids:  # a database that does not return the new ids
        LedgerLine.history.bulk_history_create(
            list(LedgerLine.objects.filter(ledger__in={row.ledger_id for row in rows})),
            batch_size=2000,
            default_user=actor,
            default_change_reason=str(LedgerAction.COMPUTE.label),
            default_date=now,
        )
        return
    _history_rows_copied(LedgerLine, ids, actor=actor, now=now, reason=LedgerAction.COMPUTE)


def _history_rows_copied(model, ids: list[int], *, actor, now, reason) -> None:
    """Creation rows ('+') of the model's history for the given rows, copied column for column
    by INSERT … SELECT, dated `now`, by `actor`, with `reason`."""
    historical = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    extra = ", ".join(
        quote(historical._meta.get_field(name).column)
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(  # names from the models' own metadata, values as parameters
                f"INSERT INTO {quote(historical._meta.db_table)} ({columns}, {extra}) "  # noqa: S608
                f"SELECT {columns}, %s, '+', %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                [now, actor.pk if actor else None, str(reason.label), *chunk],
            )


def _receivables_sync(year: int, group_ids: set[int] | None, *, now, actor) -> None:
    """What each agreement's payer owes for the year (F-2): the sum of its lines in all the
    year's ledgers, adjustments included; due at the end of the agreement's due month."""
    lines = LedgerLine.objects.filter(
        ledger__fiscal_year=year, rule=LedgerLine.Rule.F2, agreement__isnull=False
    )
    if group_ids is not None:
        lines = lines.filter(ledger__group_id__in=group_ids)
    owed: dict[int, Decimal] = defaultdict(Decimal)
    due_months: dict[int, int] = {}
    for agreement_id, amount, due_month in lines.values_list(
        "agreement_id", "amount", "agreement__due_month"
    ):
        owed[agreement_id] += amount
        due_months[agreement_id] = due_month
    receivables = Receivable.objects.filter(fiscal_year=year)
    if group_ids is not None:
        receivables = receivables.filter(agreement__group_id__in=group_ids)
    held: dict[int, Receivable] = {r.agreement_id: r for r in receivables}
    create: list[Receivable] = []
    update: list[Receivable] = []
    # An agreement whose lines are gone from the year (its dates or the membership corrected
    # before any lock) no longer owes anything for it: its receivable goes to 0, never left
    # at the old figure (a receivable with payments is kept, so the overpayment shows).
    for agreement_id, held_row in held.items():
        if agreement_id not in owed and held_row.amount != 0:
            held_row.amount, held_row.updated_at = rules.ZERO, now
            update.append(held_row)
    for agreement_id, amount in owed.items():
        amount = rules.fen(amount)
        month = due_months[agreement_id]
        next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
        due_on = next_month - datetime.timedelta(days=1)
        row = held.get(agreement_id)
        if row is None:
            create.append(
                Receivable(
                    agreement_id=agreement_id,
                    fiscal_year=year,
                    amount=amount,
                    due_on=due_on,
                    updated_at=now,
                )
            )
        elif row.amount != amount or row.due_on != due_on:
            row.amount, row.due_on, row.updated_at = amount, due_on, now
            update.append(row)
    if create:
        bulk_create_with_history(
            create, Receivable, batch_size=2000, default_user=actor, default_date=now
        )
    if update:
        bulk_update_with_history(
            update,
            Receivable,
            ["amount", "due_on", "updated_at"],
            batch_size=2000,
            default_user=actor,
            default_date=now,
        )


# --- the steps people take -----------------------------------------------------------------


@transaction.atomic
def ledger_confirm(
    *,
    ledger: Ledger,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Ledger:
    """The paying authority's staff confirm the lines they pay (issue 9)."""
    require(can_confirm_ledger(actor, ledger))
    now = now or timezone.now()
    return transition(
        ledger,
        action=LedgerAction.CONFIRM,
        table=LEDGER_TRANSITIONS,
        actor=actor,
        expected_version=expected_version,
        changes={"confirmed_at": now, "confirmed_by": actor},
        now=now,
    )


@transaction.atomic
def ledger_return(
    *,
    ledger: Ledger,
    actor: User,
    reason: str,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Ledger:
    """A confirmed ledger goes back to draft for another look: by the finance reviewer, or the
    paying authority that confirmed it; the reason is kept in the history."""
    require(can_return_ledger(actor, ledger))
    if not reason.strip():
        raise RuleRefusal(_("请填写退回理由。"), field="reason")
    return transition(
        ledger,
        action=LedgerAction.RETURN,
        table=LEDGER_TRANSITIONS,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"confirmed_at": None, "confirmed_by": None},
        now=now,
    )


CHANGED_SINCE_COMPUTED = _(
    "该台账计算后相关数据（成员关系、学校、费率、协议或派驻）已有变化，请重新计算并确认后再锁定。"
)


def _lines_now(ledger: Ledger) -> list[rules.LineDraft]:
    """The lines a computation would give this open ledger now: the rules' lines of its
    group, authority and year, as adjustments when the year already has a locked ledger."""
    facts = inputs.year_facts(ledger.fiscal_year, group_ids={ledger.group_id})
    key = (ledger.group_id, ledger.authority_id)
    lines = [line for line in inputs.year_lines(facts) if line.ledger_authority_id == key[1]]
    if Ledger.objects.filter(
        group_id=key[0], authority_id=key[1], fiscal_year=ledger.fiscal_year, status="locked"
    ).exists():
        booked, booked_rows = _booked(ledger.fiscal_year, {ledger.group_id})
        lines = _adjustments(lines, booked.get(key, {}), booked_rows)
    return lines


SEPARATION = _("计算或确认该台账的人员不能同时锁定（职责分离）。请由其他财政审核人员锁定。")


@transaction.atomic
def ledger_lock(
    *,
    ledger: Ledger,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Ledger:
    """The city finance bureau's reviewer locks a confirmed ledger; the one who computed or
    confirmed it may not (separation of duties). Its PDF statement is archived with a
    verification code in the same transaction."""
    require(can_lock_ledger(actor, ledger))
    now = now or timezone.now()
    locked = lock(ledger, expected_version=expected_version)
    if actor.pk in (locked.computed_by_id, locked.confirmed_by_id):
        raise RuleRefusal(SEPARATION)
    if (
        locked.status == LedgerStatus.CONFIRMED
        and lines_digest(_lines_now(locked)) != locked.digest
    ):
        # Locked figures must be what the facts give at the lock, or the year could not be
        # replayed from the audit history (`ledger_recompute_as_locked`).
        raise RuleRefusal(CHANGED_SINCE_COMPUTED)
    locked = transition(
        locked,
        action=LedgerAction.LOCK,
        table=LEDGER_TRANSITIONS,
        actor=actor,
        expected_version=expected_version,
        changes={"locked_at": now, "locked_by": actor},
        now=now,
    )
    from funding.ledgers.documents import ledger_statement_issue

    ledger_statement_issue(ledger=locked, actor=actor, now=now)
    return locked


def ledger_recompute_as_locked(ledger: Ledger) -> list[rules.LineDraft]:
    """The lines the rules give for a locked ledger's group, authority and year from the facts
    as the audit history held them when it was locked: the locked lines exactly (issue 9:
    reproducibility). For a supplement, the adjustments against the ledgers locked before it
    (their lines never change once locked)."""
    if ledger.locked_at is None:
        raise PermissionDenied
    facts = inputs.year_facts(
        ledger.fiscal_year, group_ids={ledger.group_id}, as_of=ledger.locked_at
    )
    lines = [
        line for line in inputs.year_lines(facts) if line.ledger_authority_id == ledger.authority_id
    ]
    if ledger.sequence > 1:
        booked, booked_rows = _booked(
            ledger.fiscal_year, {ledger.group_id}, before_sequence=ledger.sequence
        )
        lines = _adjustments(
            lines, booked.get((ledger.group_id, ledger.authority_id), {}), booked_rows
        )
    return lines
