"""District filings with the city (报备): supporting policies (policy D-1), reform and innovation
projects filed before they start (提前报备, policy D-2), and the filing of every group a district
founds (policy L-2). Filing is not approval: the city acknowledges or returns with remarks.

Every service is atomic and takes the acting user as `actor`; it checks the person gate
(permissions.py, PermissionDenied) before reading any state, then moves the filing through the
one workflow runner (qingdao_groups.core.workflow: lock, expected version, FILING_TRANSITIONS,
history with who and why), and notifies after the transaction commits
(qingdao_groups.core.notifications)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications.models import Application
from groups.filings.documents import filing_receipt_issue
from groups.filings.models import Filing
from groups.filings.permissions import can_create_filing, can_handle_filing, can_refile
from groups.filings.workflows import FILING_TRANSITIONS, FilingAction, FilingStatus
from groups.registry.models import EducationGroup
from members.models import Authority, User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.messages import Message, concat, label, msg
from qingdao_groups.core.notifications import city_staff, notify, staff_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import ensure_allowed, lock, stamp, transition
from qingdao_groups.models import Attachment

# What a district files itself; group-founding filings come from the founding workflow (L-2).
FILABLE_KINDS = (Filing.Kind.POLICY, Filing.Kind.PROJECT)
TITLE_MAX: int = Filing._meta.get_field("title").max_length  # type: ignore[assignment]


def filing_url(filing: Filing) -> str:
    return reverse("filings:filing-detail", kwargs={"filing_id": filing.pk})


def filing_late_explanation(filing: Filing) -> "Message | str":
    """Why a project filing is flagged late (提前报备, policy D-2), kept as a message code; empty
    when it is not."""
    if not filing.is_late:
        return ""
    return msg("reason.filing_late", start=filing.project_starts_on, filed=filing.filed_on)


def _clean_content(
    *, kind: str, title: str, project_starts_on: datetime.date | None
) -> tuple[str, datetime.date | None]:
    title = (title or "").strip()
    if not title:
        raise RuleRefusal(_("请填写标题。"), field="title")
    if len(title) > TITLE_MAX:
        raise RuleRefusal(_("标题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}, field="title")
    if kind == Filing.Kind.PROJECT:
        if project_starts_on is None:
            raise RuleRefusal(
                _("改革创新项目须填写项目开始日期（提前报备，政策 D-2）。"),
                field="project_starts_on",
            )
        return title, project_starts_on
    return title, None  # a start date means nothing for a policy or a founding filing


def _notify_city(filing: Filing, message: Message, now: datetime.datetime) -> None:
    if filing.is_late:
        message = concat(message, msg("notice.filing.late"))
    notify(city_staff(), message, filing_url(filing), now=now)


@transaction.atomic
def filing_create(
    *,
    kind: str,
    title: str,
    actor: User,
    description: str = "",
    project_starts_on: datetime.date | None = None,
    filed_on: datetime.date | None = None,
    file=None,
    file_kind: str = "",
    now: datetime.datetime | None = None,
) -> Filing:
    """A district office files a supporting policy (policy D-1) or a reform and innovation
    project (policy D-2) with the city, for its own authority. A project whose start date is not
    after the filing date is accepted but flagged late (提前报备, D-2). A document given with it
    is stored in the same transaction: a refused file leaves no filing."""
    require(can_create_filing(actor))
    if kind not in FILABLE_KINDS:
        raise RuleRefusal(_("请选择报备类别：配套政策或改革创新项目。"), field="kind")
    title, project_starts_on = _clean_content(
        kind=kind, title=title, project_starts_on=project_starts_on
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    filed_on = filed_on or today
    if filed_on > today:
        raise RuleRefusal(_("报备日期不能晚于今天。"), field="filed_on")
    assert actor.authority is not None  # can_create_filing: the staff of an authority
    filing = Filing(
        authority=actor.authority,
        kind=kind,
        title=title,
        description=(description or "").strip(),
        project_starts_on=project_starts_on,
        filed_on=filed_on,
        first_filed_on=filed_on,
        status=FilingStatus.FILED,
        filed_by=actor,
    )
    stamp(
        filing,
        actor=actor,
        reason=filing_late_explanation(filing) or msg("reason.filing_filed"),
        now=now,
    )
    filing.save()
    if file:
        attachment_add(
            owner=filing,
            kind=file_kind or Attachment.Kind.POLICY,
            uploaded_file=file,
            actor=actor,
            now=now,
        )
    _notify_city(
        filing,
        msg("notice.filing.filed", authority=actor.authority.name, title=filing.title),
        now,
    )
    return filing


@transaction.atomic
def filing_create_for_group_founding(
    *,
    application: Application,
    group: EducationGroup,
    actor: User,
    conditions: str | None = None,
    now: datetime.datetime | None = None,
) -> Filing | None:
    """A group founded by a district or county-level city is filed with the city (policy L-2).

    Called by the founding approval service inside its transaction: the approval itself checked
    the actor (policy L-1), so no further rule applies here. Returns None when the deciding
    authority is not a district (the city's own groups need no filing); calling it twice for one
    application returns the filing made the first time."""
    authority = application.deciding_authority
    if authority.kind != Authority.Kind.DISTRICT:
        return None
    existing = Filing.objects.filter(
        application_id=application.pk, kind=Filing.Kind.GROUP_FOUNDING
    ).first()
    if existing is not None:
        return existing
    description = _(
        "%(core)s 为核心校，经 %(authority)s 批准于 %(date)s 成立（政策 L-1、L-2）。"
    ) % {"core": group.core_school.name, "authority": authority.name, "date": group.founded_on}
    now = now or timezone.now()
    conditions = application.conditions if conditions is None else conditions
    if conditions:
        description += "\n" + _("附加条件：%(conditions)s") % {"conditions": conditions}
    filing = Filing(
        authority=authority,
        kind=Filing.Kind.GROUP_FOUNDING,
        title=(_("%(name)s成立报备") % {"name": group.name})[:TITLE_MAX],
        description=description,
        filed_on=timezone.localdate(now),
        first_filed_on=timezone.localdate(now),
        status=FilingStatus.FILED,
        group=group,
        application=application,
        filed_by=actor,
    )
    stamp(filing, actor=actor, reason=msg("reason.filing_auto"), now=now)
    filing.save()
    _notify_city(
        filing,
        msg("notice.filing.group_founded", authority=authority.name, name=group.name),
        now,
    )
    return filing


def _handle(
    *,
    filing: Filing,
    action: str,
    remarks: str,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime,
) -> Filing:
    return transition(
        filing,
        action=action,
        table=FILING_TRANSITIONS,
        actor=actor,
        reason=(
            msg("reason.with_remarks", action=label(FilingAction(action).label), remarks=remarks)
            if remarks
            else ""
        ),
        expected_version=expected_version,
        now=now,
        changes={"remarks": remarks, "handled_by": actor, "handled_at": now},
    )


@transaction.atomic
def filing_acknowledge(
    *,
    filing: Filing,
    actor: User,
    remarks: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Filing:
    """City staff acknowledge a filing, optionally with remarks (policy L-2, D-1, D-2). Filing is
    not approval: a district-founded group is active from its district's approval."""
    require(can_handle_filing(actor, filing))
    now = now or timezone.now()
    filing = _handle(
        filing=filing,
        action=FilingAction.ACKNOWLEDGE,
        remarks=(remarks or "").strip(),
        actor=actor,
        expected_version=expected_version,
        now=now,
    )
    # The 备案回执 (issue 8), archived and numbered in this transaction.
    filing_receipt_issue(filing=filing, actor=actor, now=now)
    notify(
        staff_of(filing.authority_id),
        msg("notice.filing.acknowledged", title=filing.title),
        filing_url(filing),
        now=now,
    )
    return filing


@transaction.atomic
def filing_return(
    *,
    filing: Filing,
    remarks: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Filing:
    """City staff return a filing to its district with remarks, which are required
    (policy L-2, D-1, D-2)."""
    require(can_handle_filing(actor, filing))
    remarks = (remarks or "").strip()
    if not remarks:
        raise RuleRefusal(
            _("退回报备须填写意见，告诉报备部门需要补充或修改什么。"), field="remarks"
        )
    now = now or timezone.now()
    filing = _handle(
        filing=filing,
        action=FilingAction.RETURN,
        remarks=remarks,
        actor=actor,
        expected_version=expected_version,
        now=now,
    )
    notify(
        staff_of(filing.authority_id),
        msg("notice.filing.returned", title=filing.title, remarks=remarks),
        filing_url(filing),
        now=now,
    )
    return filing


@transaction.atomic
def filing_refile(
    *,
    filing: Filing,
    title: str,
    actor: User,
    description: str = "",
    project_starts_on: datetime.date | None = None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Filing:
    """The filing district answers the city's remarks and files again (policy L-2, D-1, D-2).
    The filing date becomes today, so a project's lateness is judged afresh (D-2)."""
    require(can_refile(actor, filing))
    now = now or timezone.now()
    filing = lock(filing, expected_version=expected_version)
    ensure_allowed(filing, table=FILING_TRANSITIONS, action=FilingAction.REFILE)
    title, project_starts_on = _clean_content(
        kind=filing.kind, title=title, project_starts_on=project_starts_on
    )
    changes: dict[str, Any] = {
        "title": title,
        "description": (description or "").strip(),
        "project_starts_on": project_starts_on,
        "filed_on": timezone.localdate(now),
        "filed_by": actor,
        # The city's remarks on the returned round stay in the history; the new round
        # starts clean.
        "remarks": "",
        "handled_by": None,
        "handled_at": None,
    }
    # Lateness is judged on the refiled content (D-2); the reason says it in the history.
    late = Filing(
        kind=filing.kind,
        project_starts_on=project_starts_on,
        first_filed_on=filing.first_filed_on,
        filed_on=changes["filed_on"],
    )
    filing = transition(
        filing,
        action=FilingAction.REFILE,
        table=FILING_TRANSITIONS,
        actor=actor,
        reason=filing_late_explanation(late),
        expected_version=None,
        changes=changes,
        now=now,
    )
    authority = Authority.objects.get(pk=filing.authority_id)
    _notify_city(
        filing,
        msg("notice.filing.refiled", authority=authority.name, title=filing.title),
        now,
    )
    return filing


@transaction.atomic
def filing_attachment_add(
    *, filing: Filing, kind: str, uploaded_file, actor: User, now: datetime.datetime | None = None
):
    """Attach a document if the rule still allows it on the locked row (policy D-1, D-2, L-2);
    a filing acknowledged meanwhile refuses with the rule's reason and stores nothing. The
    filing itself is not changed (its version stays, so the city's open form stays valid)."""
    from groups.filings.permissions import can_upload_to_filing

    locked = Filing.objects.select_for_update(of=("self",)).get(pk=filing.pk)
    decision = can_upload_to_filing(actor, locked)
    if not decision:
        raise RuleRefusal(decision.reason, field="state")
    return attachment_add(
        owner=locked, kind=kind, uploaded_file=uploaded_file, actor=actor, now=now
    )


@dataclass(frozen=True)
class BulkOutcome:
    filing_id: int
    title: str
    ok: bool
    message: str = ""


def filings_acknowledge_many(
    *,
    picks: list[tuple[int, int]],
    actor: User,
    now: datetime.datetime | None = None,
) -> list[BulkOutcome]:
    """City staff acknowledge several filings at once (policy L-2, D-1, D-2): each through
    filing_acknowledge in its own transaction (the runner's lock, version check and history
    row each), so one that fails — changed meanwhile, already handled, not visible — is reported
    by itself and the others still land. `picks`: (filing id, the version the reader saw)."""
    from groups.filings.selectors import filing_list_for_user

    require(can_handle_filing(actor))
    now = now or timezone.now()
    found = {
        f.pk: f for f in filing_list_for_user(user=actor).filter(pk__in=[p for p, _v in picks])
    }
    outcomes = []
    for pk, version in picks:
        filing = found.get(pk)
        if filing is None:
            outcomes.append(BulkOutcome(pk, f"#{pk}", False, _("该报备不存在或您无权查看。")))
            continue
        try:
            filing_acknowledge(filing=filing, actor=actor, expected_version=version, now=now)
        except RuleRefusal as exc:
            outcomes.append(BulkOutcome(pk, filing.title, False, str(exc.message)))
        else:
            outcomes.append(BulkOutcome(pk, filing.title, True))
    return outcomes
