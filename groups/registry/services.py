"""Writes to the registry of groups: the only code that creates or ends memberships.

Each service is atomic, takes the acting user as `actor`, locks what it checks, and raises
RuleRefusal with a message in the user's language when a rule refuses. Each takes `now` (default:
the clock), the moment its history rows are dated."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.registry.membership import ONE_DAY, core_cannot_be_member
from groups.registry.membership import today as membership_today
from groups.registry.models import (
    SUBTYPES_BY_TYPE,
    CouncilSeat,
    EducationGroup,
    Membership,
    Partnership,
)
from members.models import Partner, School, User
from qingdao_groups.core.messages import label, msg
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import stamp


def _lock_school(school_id: int) -> School:
    # Serialises every membership change of one school (SQLite has no exclusion constraint).
    return School.objects.select_for_update().get(pk=school_id)


def membership_conflict(
    *,
    school: School,
    joined_on: datetime.date,
    left_on: datetime.date | None,
    exclude_id: int | None = None,
) -> Membership | None:
    """The membership of `school` whose period overlaps [joined_on, left_on), if any.

    A school is active in at most one group at a time and its memberships never overlap
    (policy G-1; DESIGN.md)."""
    last_day = None if left_on is None else left_on - ONE_DAY
    overlapping = Membership.objects.filter(school=school).overlapping(joined_on, last_day)
    if exclude_id:
        overlapping = overlapping.exclude(pk=exclude_id)
    return overlapping.select_related("group").order_by("joined_on").first()


def _raise_conflict(school: School, conflict: Membership) -> None:
    if conflict.left_on is None:
        raise RuleRefusal(
            _(
                "%(school)s 自 %(joined)s 起已是“%(group)s”的在册%(role)s，同一时间只能属于一个集团。"
            )
            % {
                "school": school.name,
                "joined": conflict.joined_on,
                "group": conflict.group.name,
                "role": conflict.get_role_display(),
            },
            field="school",
        )
    raise RuleRefusal(
        _("%(school)s 在 %(joined)s 至 %(left)s 期间属于“%(group)s”，与所填日期重叠。")
        % {
            "school": school.name,
            "joined": conflict.joined_on,
            "left": conflict.left_on,
            "group": conflict.group.name,
        },
        field="joined_on",
    )


def _validate_relation(relation_type: str, relation_subtype: str) -> None:
    """Each member relationship has a type and a matching subtype (policy T-1, T-2, T-3)."""
    if relation_type not in SUBTYPES_BY_TYPE:
        raise RuleRefusal(_("请选择合作类型（融合型、聚合型或联合型）。"), field="relation_type")
    if relation_subtype not in SUBTYPES_BY_TYPE[relation_type]:
        raise RuleRefusal(
            _("所选子类型不属于所选合作类型（政策 T-1 至 T-3）。"), field="relation_subtype"
        )


@transaction.atomic
def membership_add(
    *,
    group: EducationGroup,
    school: School,
    relation_type: str,
    relation_subtype: str,
    joined_on: datetime.date,
    actor: User,
    left_on: datetime.date | None = None,
    end_reason: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Membership:
    """Record a school's membership of a group from `joined_on` (policy G-1, T-1 … T-3).

    Refuses the group's own core school, a school active in another group, and any period that
    overlaps another membership of the same school."""
    school = _lock_school(school.pk)
    group = EducationGroup.objects.select_for_update().get(pk=group.pk)
    core_rule = core_cannot_be_member(core_school_id=group.core_school_id, school_id=school.pk)
    if not core_rule:
        raise RuleRefusal(core_rule.reason, field="school")
    if group.status == EducationGroup.Status.DISSOLVED:
        raise RuleRefusal(_("该集团已撤销，不能再加入成员。"))
    if joined_on < group.founded_on:
        raise RuleRefusal(
            _("加入日期不能早于集团成立日期 %(date)s。") % {"date": group.founded_on},
            field="joined_on",
        )
    if left_on is not None and left_on < joined_on:
        raise RuleRefusal(_("离开日期不能早于加入日期。"), field="left_on")
    if (left_on is None) != (not end_reason):
        raise RuleRefusal(_("结束成员关系须同时填写离开日期和离开原因。"), field="end_reason")
    _validate_relation(relation_type, relation_subtype)
    conflict = membership_conflict(school=school, joined_on=joined_on, left_on=left_on)
    if conflict is not None:
        _raise_conflict(school, conflict)
    membership = Membership(
        group=group,
        school=school,
        role=Membership.Role.MEMBER,
        relation_type=relation_type,
        relation_subtype=relation_subtype,
        joined_on=joined_on,
        left_on=left_on,
        end_reason=end_reason,
        note=note,
    )
    stamp(membership, actor=actor, now=now)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # the database's own guard (PostgreSQL exclusion, unique open)
        raise RuleRefusal(_("该学校在所填期间已属于其他集团。"), field="school") from exc
    return membership


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    left_on: datetime.date,
    end_reason: str,
    actor: User,
    note: str = "",
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Membership:
    """End a membership on `left_on` (the first day it no longer holds). Never deletes it
    (DESIGN.md); exit is policy L-5, expulsion L-6.

    An end dated later (an exit approved for the end of term) leaves the school a full member
    until then (拟退出); the end takes effect on `left_on` — now, when that day has come,
    otherwise through the daily `memberships_end_due`."""
    today = today or (timezone.localdate(now) if now else membership_today())
    now = now or timezone.now()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None and membership.left_on <= today:
        raise RuleRefusal(_("该成员关系已于 %(date)s 结束。") % {"date": membership.left_on})
    if membership.left_on is not None and left_on >= membership.left_on:
        # An end not yet in effect may only be brought forward (an expulsion before the exit).
        raise RuleRefusal(_("该成员关系已定于 %(date)s 结束。") % {"date": membership.left_on})
    if membership.role == Membership.Role.CORE:
        raise RuleRefusal(_("核心校的成员关系不能单独结束。"))
    if left_on < membership.joined_on:
        raise RuleRefusal(
            _("离开日期不能早于加入日期 %(date)s。") % {"date": membership.joined_on},
            field="left_on",
        )
    if end_reason not in Membership.EndReason.values:
        raise RuleRefusal(_("请选择离开原因。"), field="end_reason")
    membership.left_on = left_on
    membership.end_reason = end_reason
    if note:
        membership.note = note
    stamp(membership, actor=actor, reason=label(Membership.EndReason(end_reason).label), now=now)
    membership.save(update_fields=["left_on", "end_reason", "note"])
    if left_on <= today:
        _end_takes_effect(membership, actor, today, now)
    return membership


def _effective_moment(day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """When an end dated `day` took effect: `now` when that is its day, else the start of `day`
    (a run that catches up, or a record entered afterwards, dates its rows on that day)."""
    if timezone.localdate(now) == day:
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _end_takes_effect(
    membership: Membership, actor: User | None, today: datetime.date, now: datetime.datetime
) -> int:
    """What ends with a membership, dated the day it ends: its open cards close (policy L-6)
    and the school's council seats in the group end (G-3), unless the school is again a member
    of the group. Returns how many rows changed; a second call changes nothing."""
    from groups.cards.services import cards_close_for_membership

    assert membership.left_on is not None  # only an ended membership takes effect
    when = _effective_moment(membership.left_on, now)
    changed = cards_close_for_membership(membership=membership, actor=actor, when=when)
    if (
        membership.school_id is not None
        and not Membership.objects.current(today=today)
        .filter(group_id=membership.group_id, school_id=membership.school_id)
        .exists()
    ):
        reason = msg(
            "reason.seat_ended_with_membership",
            reason=label(Membership.EndReason(membership.end_reason).label),
        )
        for seat in CouncilSeat.objects.select_for_update().filter(
            group_id=membership.group_id, school_id=membership.school_id, ended_on__isnull=True
        ):
            seat.ended_on = max(membership.left_on, seat.started_on)
            stamp(seat, actor=actor, reason=reason, now=when)
            seat.save(update_fields=["ended_on"])
            changed += 1
    return changed


def memberships_end_due(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily: each membership whose end has come (`left_on` on or before `today`) and still has
    an open card or council seat has its end take effect (policy L-5, L-6, G-3). Idempotent:
    a second run finds nothing left to end. Returns how many rows changed."""
    from groups.cards.models import Card
    from groups.cards.workflows import OPEN_CARD_STATUSES

    open_cards = Card.objects.filter(
        membership_id=OuterRef("pk"), closed_at__isnull=True, status__in=OPEN_CARD_STATUSES
    )
    open_seats = CouncilSeat.objects.filter(
        group_id=OuterRef("group_id"), school_id=OuterRef("school_id"), ended_on__isnull=True
    )
    due = (
        Membership.objects.ended(today=today)
        .filter(Exists(open_cards) | Exists(open_seats))
        .order_by("left_on", "pk")
    )
    now = now or timezone.now()
    changed = 0
    for ended in due:
        with transaction.atomic():
            ended = Membership.objects.select_for_update().get(pk=ended.pk)
            changed += _end_takes_effect(ended, None, today, now)
    return changed


@transaction.atomic
def group_create(
    *,
    name: str,
    code: str,
    core_school: School,
    specialty: str,
    founded_on: datetime.date,
    actor: User,
    unified_areas: list[str] | None = None,
    description: str = "",
    chief_principal_name: str = "",
    chief_principal_reason: str = "",
    now: datetime.datetime | None = None,
) -> EducationGroup:
    """Register a group led by `core_school` (policy G-1), approved by the core school's own
    authority (L-1). The core school takes its core membership; the chief principal is by default
    the core school's principal (G-3), and another choice must give a reason."""
    core_school = _lock_school(core_school.pk)
    if not specialty.strip():
        raise RuleRefusal(_("请填写集团特色（一集团一特色，政策 G-5）。"), field="specialty")
    conflict = membership_conflict(school=core_school, joined_on=founded_on, left_on=None)
    if conflict is not None:
        _raise_conflict(core_school, conflict)
    chief = chief_principal_name.strip() or core_school.principal_name
    if chief and chief != core_school.principal_name and not chief_principal_reason.strip():
        raise RuleRefusal(
            _("原则上由核心校校长任总校长（政策 G-3）；另行安排请填写理由。"),
            field="chief_principal_reason",
        )
    group = EducationGroup(
        name=name,
        code=code,
        core_school=core_school,
        authority_id=core_school.authority_id,
        specialty=specialty,
        founded_on=founded_on,
        unified_areas=list(unified_areas or []),
        description=description,
    )
    now = now or timezone.now()
    stamp(group, actor=actor, now=now)
    group.full_clean()
    group.save()
    core = Membership(
        group=group, school=core_school, role=Membership.Role.CORE, joined_on=founded_on
    )
    stamp(core, actor=actor, now=now)
    core.save()
    if chief:
        seat = CouncilSeat(
            group=group,
            role=CouncilSeat.Role.CHIEF_PRINCIPAL,
            person_name=chief,
            school=core_school if chief == core_school.principal_name else None,
            started_on=founded_on,
            non_default_reason=chief_principal_reason,
        )
        stamp(seat, actor=actor, now=now)
        seat.save()
    return group


@transaction.atomic
def partnership_add(
    *,
    group: EducationGroup,
    partner: Partner,
    projects: list[str],
    started_on: datetime.date,
    actor: User,
    ended_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Partnership:
    """Record a partner's cooperation with a group on named projects (policy G-1, the X)."""
    projects = [p.strip() for p in projects if p.strip()]
    if not projects:
        raise RuleRefusal(_("请至少填写一个合作项目。"), field="projects")
    if ended_on is not None and ended_on < started_on:
        raise RuleRefusal(_("结束日期不能早于开始日期。"), field="ended_on")
    partnership = Partnership(
        group=group,
        partner=partner,
        projects="\n".join(projects),
        started_on=started_on,
        ended_on=ended_on,
    )
    stamp(partnership, actor=actor, now=now)
    partnership.save()
    return partnership
