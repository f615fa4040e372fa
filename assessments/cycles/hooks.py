"""What the cycles feature plugs into the shared parts (policy A-1 … A-2): evidence files owned
by score rows, the work list (自评待提交 for core principals; 待评分, 待处理核对意见, 待发布 for the
organiser's staff) with each step's deadline, reminders and overdue escalation through the
daily reminder run (`qingdao_groups.reminders_send_due` covers cycles: no task of their own),
and the published results in the group's story (集团历程)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from assessments.cycles import texts  # noqa: F401  (the notice codes)
from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.permissions import can_view_entry, score_upload_kinds
from assessments.cycles.selectors import cycle_get_for_user, entry_get_for_user
from assessments.cycles.workflows import CycleStatus, FlagStatus
from assessments.frameworks.models import Grade
from members.models import Authority, User
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.notifications import city_staff, principals_of, staff_of
from qingdao_groups.core.reminders import RemindSource, Waiting, register_remind_source
from qingdao_groups.core.timeline import StoryEvent, StorySource, register_story_source

register_document_owner(
    Score,
    can_view=lambda user, score: can_view_entry(user, score.entry),
    upload_kinds=score_upload_kinds,
)


def _inbox(user: User) -> list[InboxItem]:
    """A-1: what a cycle's current step asks of this person."""
    if user.role == User.Role.CORE_PRINCIPAL and user.school_id:
        rows = CycleGroup.objects.filter(
            group__core_school_id=user.school_id,
            cycle__status=CycleStatus.SELF_ASSESSMENT,
            self_submitted_at__isnull=True,
        ).select_related("cycle", "group")
        return [
            InboxItem(
                _("自评待提交"),
                f"{e.cycle.name} · {e.group.name}",
                day(e.cycle.step_started_at),
                url_or_blank("cycles:entry-detail", e.pk),
                key="cycle-self",
                waits_for=e.group.name,
                deadline=e.cycle.self_assessment_due,
                target=f"cycle-entry:{e.pk}",
            )
            for e in rows
        ]
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        cycles = Cycle.objects.filter(
            authority_id=user.authority_id,
            status__in=[CycleStatus.INSPECTION, CycleStatus.FACTUAL_CHECK],
        ).annotate(
            open_flags=Count("entries__flags", filter=Q(entries__flags__status=FlagStatus.OPEN))
        )
        items = []
        for c in cycles.select_related("authority"):
            if c.status == CycleStatus.INSPECTION:
                kind, key = _("待评分"), "cycle-score"
            elif c.open_flags:
                kind, key = _("待处理核对意见"), "cycle-flags"
            else:
                kind, key = _("待发布"), "cycle-publish"
            items.append(
                InboxItem(
                    kind,
                    c.name,
                    day(c.step_started_at),
                    url_or_blank("cycles:cycle-detail", c.pk),
                    _("%(n)s 条待处理") % {"n": c.open_flags} if c.open_flags else "",
                    key=key,
                    waits_for=c.authority.name,
                    deadline=c.step_due(),
                    target=f"cycle:{c.pk}",
                )
            )
        return items
    return []


register_inbox_provider("cycles", _inbox, models=(Cycle, CycleGroup, FactualFlag))


def _supervisors(authority: Authority) -> list[User]:
    """An overdue district step is copied to the city bureau, which supervises (A-1)."""
    return city_staff() if authority.kind == Authority.Kind.DISTRICT else []


def _cycle_waiting(cycle: Cycle) -> Waiting | None:
    """Inspection and the factual check wait for the organiser's staff (A-1)."""
    if cycle.status not in (CycleStatus.INSPECTION, CycleStatus.FACTUAL_CHECK):
        return None
    return Waiting(
        staff_of(cycle.authority_id),
        cycle.authority.name,
        _("“%(cycle)s”%(step)s") % {"cycle": cycle.name, "step": cycle.get_status_display()},
        url_or_blank("cycles:cycle-detail", cycle.pk),
        cycle.step_due(),
        escalate_to=_supervisors(cycle.authority),
    )


def _entry_waiting(entry: CycleGroup) -> Waiting | None:
    """The self-assessment waits for the group's core principal until submitted (A-1)."""
    if entry.cycle.status != CycleStatus.SELF_ASSESSMENT or entry.self_submitted_at:
        return None
    principals = [
        u for u in principals_of(entry.group.core_school_id) if u.role == User.Role.CORE_PRINCIPAL
    ]
    return Waiting(
        principals,
        entry.group.core_school.name,
        _("“%(cycle)s”%(group)s自评") % {"cycle": entry.cycle.name, "group": entry.group.name},
        url_or_blank("cycles:entry-detail", entry.pk),
        entry.cycle.self_assessment_due,
        escalate_to=staff_of(entry.cycle.authority_id),
    )


register_remind_source(
    RemindSource(
        "cycle",
        Cycle,
        lambda user, pk: cycle_get_for_user(user=user, cycle_id=pk),
        _cycle_waiting,
        lambda: (
            Cycle.objects.filter(status__in=[CycleStatus.INSPECTION, CycleStatus.FACTUAL_CHECK])
            .select_related("authority")
            .order_by("pk")
        ),
        is_open=lambda c: c.status in (CycleStatus.INSPECTION, CycleStatus.FACTUAL_CHECK),
    )
)
register_remind_source(
    RemindSource(
        "cycle-entry",
        CycleGroup,
        lambda user, pk: entry_get_for_user(user=user, entry_id=pk),
        _entry_waiting,
        lambda: (
            CycleGroup.objects.filter(
                cycle__status=CycleStatus.SELF_ASSESSMENT, self_submitted_at__isnull=True
            )
            .select_related("cycle__authority", "group__core_school")
            .order_by("pk")
        ),
        is_open=lambda e: e.cycle.status == CycleStatus.SELF_ASSESSMENT and not e.self_submitted_at,
    )
)


def _story(group_id: int, user, today) -> list[StoryEvent]:
    """A published result in the group's story (A-1, A-2): one query."""
    grades = dict(Grade.choices)
    rows = CycleGroup.objects.filter(
        group_id=group_id, cycle__status=CycleStatus.PUBLISHED
    ).select_related("cycle", "group")
    return [
        StoryEvent(
            day(e.cycle.published_at) if e.cycle.published_at else e.cycle.period_end,
            "assessment",
            _("督导评估结果发布：%(cycle)s，总分 %(total)s，等级 %(grade)s")
            % {
                "cycle": e.cycle.name,
                "total": e.total if e.total is not None else "-",
                "grade": grades.get(e.grade, e.grade),
            },
            url=url_or_blank("cycles:entry-detail", e.pk) if can_view_entry(user, e) else "",
            order=5,
        )
        for e in rows
    ]


register_story_source(StorySource("assessment-cycles", _story))
