"""Yellow and red card pages (policy L-6): access -> form -> service -> message -> redirect.

Every card is fetched through the scoped selector (a swapped id gives 404); each action posts a
form that carries the card's version, so a form opened before someone else acted changes
nothing and says so.

Files (issue 3 "Documents"): the issuing authority's staff add evidence, the warned member's
principal adds rectification material (policy L-6). A file is checked by content in the form,
before any service runs; where a file comes with an action (issuing, responding) the action and
the file are stored in one transaction, so a refused file leaves no card and no response."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.cards.forms import (
    EscalateForm,
    IssueForm,
    LiftForm,
    RejectForm,
    RespondForm,
    UploadForm,
)
from groups.cards.models import Card
from groups.cards.permissions import (
    can_issue_card,
    can_respond_to_card,
    can_review_card,
    can_upload_to_card,
    card_upload_kind,
)
from groups.cards.selectors import card_list_filtered, card_list_visible
from groups.cards.services import (
    card_attachment_add,
    card_issue,
    card_issue_red,
    card_lift,
    card_reject_rectification,
    card_state_label,
    card_submit_rectification,
    yellow_cards_in_window,
)
from groups.cards.workflows import CARD_TRANSITIONS, CardAction, CardStatus
from groups.registry.models import EducationGroup, Membership, PolicyParameters
from groups.registry.selectors import group_scope_q
from members.models import User
from qingdao_groups.core.forms import (
    keep_file_hint,
)
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.messages import render as render_stored
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, first_result, once
from qingdao_groups.core.workflow import StaleVersion
from qingdao_groups.models import Attachment

PAGE_SIZE = 25


def _visible_cards(user: User) -> QuerySet[Card]:
    return card_list_visible(user=user)


def _get_card(user: User, card_id: int) -> Card:
    try:
        return (
            _visible_cards(user)
            .select_related(
                "group__authority",
                "group__core_school",
                "membership__school__authority",
                "escalated_from",
            )
            .get(pk=card_id)
        )
    except Card.DoesNotExist as exc:
        raise Http404 from exc


def _days_overdue(card: Card, today: datetime.date) -> int:
    if (
        card.closed_at is None
        and card.level == Card.Level.YELLOW
        and card.deadline
        and card.status != CardStatus.UNDER_REVIEW
        and card.deadline < today
    ):
        return (today - card.deadline).days
    return 0


def _timeline(card: Card) -> list[dict]:
    """The card's story from its audit rows, oldest first: who, when, which state, why, and the
    texts that changed at that step."""
    rows = list(
        history_rows(Card, pk=card.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], None
    for h in rows:
        changed = []
        for field, label in (
            ("rectification", _("整改情况")),
            ("review_note", _("审核意见")),
            ("deadline", _("整改期限")),
        ):
            value = getattr(h, field)
            if value and (previous is None or getattr(previous, field) != value):
                changed.append((label, value))
        user = h.history_user
        entries.append(
            {
                "when": h.history_date,
                "who": (user.get_full_name() or user.username) if user else _("系统"),
                "status": str(Card.Status(h.status).label),
                "reason": render_stored(h.history_change_reason),
                "changed": changed,
            }
        )
        previous = h
    return entries


def _render_detail(request, card: Card, bound: dict | None = None, status: int = 200):
    user = request.user
    today = timezone.localdate()
    may_respond = can_respond_to_card(user, card).allowed and card.closed_at is None
    may_review = can_review_card(user, card).allowed and card.closed_at is None
    forms_ = {
        "respond": RespondForm(prefix="respond", initial={"version": card.version}),
        "lift": LiftForm(prefix="lift", initial={"version": card.version}),
        "reject": RejectForm(prefix="reject", initial={"version": card.version}),
        "escalate": EscalateForm(prefix="escalate", initial={"version": card.version}),
    } | (bound or {})
    upload_kind = card_upload_kind(user, card)
    may_upload = upload_kind is not None and can_upload_to_card(user, card).allowed
    if may_upload and "upload" not in forms_:
        forms_["upload"] = UploadForm(prefix="upload")
    escalated_to = Card.objects.filter(escalated_from_id=card.pk).only("pk", "issued_at").first()
    siblings = list(
        Card.objects.filter(membership_id=card.membership_id)
        .exclude(pk=card.pk)
        .only("pk", "level", "status", "issued_at", "closed_at", "deadline")
        .order_by("-issued_at", "-pk")
    )
    attachments = list(
        card.attachments.select_related("uploaded_by")
        .defer("text")
        .order_by("kind", "-version", "-pk")
    )
    return render(
        request,
        "cards/card_detail.html",
        {
            "card": card,
            "state_label": card_state_label(card),
            "days_overdue": _days_overdue(card, today),
            "timeline": _timeline(card),
            "attachments": attachments,
            "escalated_to": escalated_to,
            "siblings": [(c, card_state_label(c)) for c in siblings],
            "may_respond": may_respond and (card.status, CardAction.RECTIFY) in CARD_TRANSITIONS,
            "may_lift": may_review and (card.status, CardAction.LIFT) in CARD_TRANSITIONS,
            "may_reject": may_review
            and (card.status, CardAction.REJECT_RECTIFICATION) in CARD_TRANSITIONS,
            "may_escalate": may_review and (card.status, CardAction.ESCALATE) in CARD_TRANSITIONS,
            "may_upload": may_upload,
            "upload_kind_label": Attachment.Kind(upload_kind).label if upload_kind else "",
            "upload_kind": upload_kind or "",
            "forms": forms_,
        },
        status=status,
    )


def card_list_view(request):
    """Cards the user may see, open ones first with overdue days (policy L-6)."""
    qs, state = card_list_filtered(
        _visible_cards(request.user).select_related("membership__school", "group"), request.GET
    )
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(c, card_state_label(c), _days_overdue(c, today)) for c in page]
    return render(
        request,
        "cards/card_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "state": state,
            "query_string": f"state={state}",
        },
    )


def card_detail_view(request, card_id: int):
    card = _get_card(request.user, card_id)
    return _render_detail(request, card)


def _post_action(request, card_id: int, *, form_class, prefix: str, rule, run):
    """One shape for every card action: access (404), person gate (permissions.py, 403, before
    any state is read), form, service, message. A card that has moved on is the service's answer
    (the workflow runner explains it and changes nothing). `run(card, cleaned_data)` calls the
    service and returns (card to show, success message)."""
    card = _get_card(request.user, card_id)
    require(rule(request.user, card))
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            result = run(card, form.cleaned_data)
        except RuleRefusal as exc:
            if isinstance(exc, StaleVersion):  # show the current state with fresh forms
                messages.error(request, exc.message)
                return redirect("cards:detail", card_id=card.pk)
            add_form_error(form, exc)
        else:
            target, message = result
            messages.success(request, message)
            return redirect("cards:detail", card_id=target.pk)
    keep_file_hint(form)
    return _render_detail(request, card, bound={prefix: form})


@require_POST
def card_respond_view(request, card_id: int):
    def run(card, data):
        card = card_submit_rectification(
            card=card,
            rectification=data["rectification"],
            expected_version=data["version"],
            file=data["file"],
            actor=request.user,
        )
        return card, _("已提交整改材料，等待审核。")

    return _post_action(
        request,
        card_id,
        form_class=RespondForm,
        prefix="respond",
        rule=can_respond_to_card,
        run=run,
    )


@require_POST
def card_lift_view(request, card_id: int):
    def run(card, data):
        card = card_lift(
            card=card, note=data["note"], expected_version=data["version"], actor=request.user
        )
        return card, _("已撤销黄牌预警。")

    return _post_action(
        request, card_id, form_class=LiftForm, prefix="lift", rule=can_review_card, run=run
    )


@require_POST
def card_reject_view(request, card_id: int):
    def run(card, data):
        card = card_reject_rectification(
            card=card,
            note=data["note"],
            new_deadline=data["new_deadline"],
            expected_version=data["version"],
            actor=request.user,
        )
        return card, _("整改不通过，已设定新的整改期限。")

    return _post_action(
        request, card_id, form_class=RejectForm, prefix="reject", rule=can_review_card, run=run
    )


@require_POST
def card_escalate_view(request, card_id: int):
    def run(card, data):
        red = card_issue_red(
            membership=card.membership,
            reason=data["reason"],
            escalate_from=card,
            expected_version=data["version"],
            actor=request.user,
        )
        return red, _("已发出红牌：%(school)s 的成员关系自 %(date)s 起结束。") % {
            "school": card.membership.school.name,
            "date": red.membership.left_on,
        }

    return _post_action(
        request, card_id, form_class=EscalateForm, prefix="escalate", rule=can_review_card, run=run
    )


@require_POST
def card_upload_view(request, card_id: int):
    """Staff of the issuing authority add evidence while the card is open; the warned member's
    principal adds rectification material before or with the response (policy L-6)."""
    card = _get_card(request.user, card_id)
    kind = card_upload_kind(request.user, card)
    decision = can_upload_to_card(request.user, card)
    if kind is None:
        raise PermissionDenied(decision.reason)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("cards:detail", card_id=card.pk)
    form = UploadForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        try:
            attachment, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: card_attachment_add(
                    card=card,
                    kind=kind,
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            if exc.field != "file":  # the card moved on: say so and show it as it is now
                messages.error(request, exc.message)
                return redirect("cards:detail", card_id=card.pk)
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            else:
                messages.success(
                    request,
                    _("已上传%(kind)s：%(name)s（第 %(v)d 版）。")
                    % {
                        "kind": attachment.get_kind_display(),
                        "name": attachment.original_name,
                        "v": attachment.version,
                    },
                )
            return redirect("cards:detail", card_id=card.pk)
    return _render_detail(request, card, bound={"upload": form})


def card_issue_view(request, membership_id: int):
    """Issue a yellow or a red card to a current member (policy L-6)."""
    scope = group_scope_q(request.user)
    groups = EducationGroup.objects.all() if scope is None else EducationGroup.objects.filter(scope)
    try:
        membership = Membership.objects.select_related("group", "group__authority", "school").get(
            pk=membership_id, group__in=groups
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc
    repeated = first_result(request)
    if isinstance(repeated, Card) and repeated.membership_id == membership.pk:
        # The same form again: the red card it issued already ended the membership.
        messages.info(request, ALREADY_DONE)
        return redirect("cards:detail", card_id=repeated.pk)
    decision = can_issue_card(request.user, membership)
    if not decision:
        raise PermissionDenied(decision.reason)
    open_yellows = membership.cards.filter(level=Card.Level.YELLOW, closed_at__isnull=True)
    if request.method == "POST":
        form = IssueForm(request.POST, request.FILES, open_yellows=open_yellows)
    else:
        form = IssueForm(open_yellows=open_yellows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def issue():
            return card_issue(
                membership=membership,
                level=data["level"],
                ground=data["ground"],
                description=data["description"],
                deadline=data["deadline"],
                severe=data["severe"],
                escalate_from=data["escalate_from"],
                evidence=data["evidence"],
                actor=request.user,
            )

        try:
            # A repeat of this form (a double click) shows the card the first one issued: a
            # second yellow card would count as a repeated warning (L-6).
            card, created = once(data["submission"], request.user, issue)
        except RuleRefusal as exc:
            if exc.field == "reason":
                exc.field = "description"
            elif exc.field == "file":
                exc.field = "evidence"
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            elif card.level == Card.Level.YELLOW:
                messages.success(
                    request, _("已发出黄牌预警，整改期限 %(date)s。") % {"date": card.deadline}
                )
            else:
                messages.success(
                    request,
                    _("已发出红牌：%(school)s 的成员关系自 %(date)s 起结束。")
                    % {"school": membership.school.name, "date": timezone.localdate()},
                )
            return redirect("cards:detail", card_id=card.pk)
    if request.method == "POST":
        keep_file_hint(form)
    params = PolicyParameters.current()
    previous = list(membership.cards.order_by("-issued_at", "-pk"))
    return render(
        request,
        "cards/card_issue.html",
        {
            "form": form,
            "membership": membership,
            "params": params,
            "default_deadline": timezone.localdate()
            + datetime.timedelta(days=params.rectification_days),
            "yellows_in_window": yellow_cards_in_window(
                membership=membership,
                today=timezone.localdate(),
                window_days=params.yellow_card_window_days,
            ),
            "previous": [(c, card_state_label(c)) for c in previous],
        },
    )
