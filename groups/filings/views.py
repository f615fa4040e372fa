"""District filings with the city (policy L-2, D-1, D-2): access -> form -> service -> message ->
redirect (house style). The forms are small and only serve these pages, so they live here.

Files: the filing authority's staff attach the policy text or other documents while the filing is
with the city or returned (policy D-1, D-2, L-2). A file is checked by content in the form; a
filing created with a file is stored together with it or not at all."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from groups.filings.filters import FilingFilter
from groups.filings.forms import (
    BulkAcknowledgeForm,
    FilingCreateForm,
    FilingHandleForm,
    FilingRefileForm,
    FilingUploadForm,
)
from groups.filings.models import Filing
from groups.filings.permissions import (
    can_create_filing,
    can_handle_filing,
    can_refile,
    can_upload_to_filing,
)
from groups.filings.selectors import (
    filing_get_for_user,
    filing_list_for_user,
    oldest_unhandled_first,
)
from groups.filings.services import (
    filing_acknowledge,
    filing_attachment_add,
    filing_create,
    filing_late_explanation,
    filing_refile,
    filing_return,
    filings_acknowledge_many,
)
from groups.filings.workflows import FILING_TRANSITIONS, FilingAction, FilingStatus
from qingdao_groups.core.archive import documents_of
from qingdao_groups.core.forms import keep_file_hint
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.views import refuse_if_moved_on
from qingdao_groups.core.workflow import can_move

PAGE_SIZE = 25


def filing_list_view(request):
    user = request.user
    filterset = FilingFilter(
        request.GET or None,
        queryset=filing_list_for_user(user=user),
        show_district=user.sees_everything,
    )
    form = filterset.form
    qs = oldest_unhandled_first(filterset.qs)
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for filing in page:
        filing.days_waiting = (
            (today - filing.filed_on).days if filing.status == FilingStatus.FILED else None
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "filings/filing_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_create": can_create_filing(user).allowed,
            "is_city": user.is_city_staff,
        },
    )


def filing_detail_view(request, filing_id: int):
    filing = filing_get_for_user(user=request.user, filing_id=filing_id)
    return _render_detail(request, filing)


def _render_detail(request, filing: Filing, upload_form: FilingUploadForm | None = None):
    history = list(
        history_rows(Filing, pk=filing.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    may_upload = can_upload_to_filing(request.user, filing).allowed
    if may_upload and upload_form is None:
        upload_form = FilingUploadForm(prefix="upload")
    return render(
        request,
        "filings/filing_detail.html",
        {
            "filing": filing,
            "late_explanation": filing_late_explanation(filing),
            "history": history,
            "attachments": list(
                filing.attachments.select_related("uploaded_by")
                .defer("text")
                .order_by("kind", "-version", "-pk")
            ),
            # Its 备案回执 (issue 8): the archived PDF, for whoever sees the filing.
            "official_documents": list(documents_of(filing)),
            "can_handle": can_handle_filing(request.user, filing).allowed
            and can_move(FILING_TRANSITIONS, filing.status, FilingAction.ACKNOWLEDGE),
            "can_refile": can_refile(request.user, filing).allowed
            and can_move(FILING_TRANSITIONS, filing.status, FilingAction.REFILE),
            "upload_form": upload_form if may_upload else None,
            "days_waiting": (
                (timezone.localdate() - filing.filed_on).days
                if filing.status == FilingStatus.FILED
                else None
            ),
        },
    )


@require_POST
def filing_upload_view(request, filing_id: int):
    """The filing authority's staff attach the policy text or other documents while the filing
    is filed or returned (policy D-1, D-2, L-2)."""
    filing = filing_get_for_user(user=request.user, filing_id=filing_id)
    decision = can_upload_to_filing(request.user, filing)
    if not request.user.acts_for_authority(filing.authority_id):
        raise PermissionDenied(decision.reason)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("filings:filing-detail", filing_id=filing.pk)
    form = FilingUploadForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        try:
            attachment, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: filing_attachment_add(
                    filing=filing,
                    kind=form.cleaned_data["kind"],
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            if exc.field not in ("file", "kind"):  # acknowledged meanwhile: show it as it is
                messages.error(request, exc.message)
                return redirect("filings:filing-detail", filing_id=filing.pk)
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
            return redirect("filings:filing-detail", filing_id=filing.pk)
    return _render_detail(request, filing, upload_form=form)


def filing_create_view(request):
    require(can_create_filing(request.user))
    if request.method == "POST":
        form = FilingCreateForm(request.POST, request.FILES)
    else:
        form = FilingCreateForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            return filing_create(
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                project_starts_on=data["project_starts_on"],
                file=data["file"],
                file_kind=data["file_kind"],
                actor=request.user,
            )

        try:
            filing, created = once(data["submission"], request.user, create)
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                _announce_filed(request, filing)
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("filings:filing-detail", filing_id=filing.pk)
    if request.method == "POST":
        keep_file_hint(form)
    return render(request, "filings/filing_form.html", {"form": form, "filing": None})


def _announce_filed(request, filing: Filing) -> None:
    late = filing_late_explanation(filing)
    if late:  # the district sees the flag at once (policy D-2)
        messages.warning(request, _("已报备，但标记为未提前报备。") + str(late))
    else:
        messages.success(request, _("已向市教育局报备：%(title)s") % {"title": filing.title})


MOVED_ON = gettext_lazy("该报备当前状态为“%(status)s”，无需再办理。")


def filing_handle_view(request, filing_id: int):
    """City staff acknowledge a filing or return it with remarks (policy L-2, D-1, D-2)."""
    filing = filing_get_for_user(user=request.user, filing_id=filing_id)
    require(can_handle_filing(request.user, filing))
    if refuse_if_moved_on(
        request,
        filing,
        FILING_TRANSITIONS,
        (FilingAction.ACKNOWLEDGE, FilingAction.RETURN),
        MOVED_ON,
    ):
        return redirect("filings:filing-detail", filing_id=filing.pk)
    form = FilingHandleForm(request.POST or None, initial={"version": filing.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = (
            filing_acknowledge if data["decision"] == FilingAction.ACKNOWLEDGE else filing_return
        )
        try:
            service(
                filing=filing,
                remarks=data["remarks"],
                actor=request.user,
                expected_version=data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
            filing = filing_get_for_user(user=request.user, filing_id=filing_id)
        else:
            messages.success(request, _("已办理报备：%(title)s") % {"title": filing.title})
            return redirect("filings:filing-list")
    return render(
        request,
        "filings/filing_handle.html",
        {
            "form": form,
            "filing": filing,
            "late_explanation": filing_late_explanation(filing),
        },
    )


def filing_refile_view(request, filing_id: int):
    """The filing district answers the city's remarks and files again (policy L-2, D-1, D-2)."""
    filing = filing_get_for_user(user=request.user, filing_id=filing_id)
    require(can_refile(request.user, filing))
    if refuse_if_moved_on(request, filing, FILING_TRANSITIONS, (FilingAction.REFILE,), MOVED_ON):
        return redirect("filings:filing-detail", filing_id=filing.pk)
    initial = {
        "title": filing.title,
        "description": filing.description,
        "project_starts_on": filing.project_starts_on,
        "version": filing.version,
    }
    form = FilingRefileForm(request.POST or None, initial=initial, kind=filing.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = filing_refile(
                filing=filing,
                title=data["title"],
                description=data["description"],
                project_starts_on=data.get("project_starts_on"),
                actor=request.user,
                expected_version=data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
            filing = filing_get_for_user(user=request.user, filing_id=filing_id)
        else:
            _announce_filed(request, filing)
            return redirect("filings:filing-detail", filing_id=filing.pk)
    return render(request, "filings/filing_form.html", {"form": form, "filing": filing})


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def filing_bulk_acknowledge_view(request):
    """City staff acknowledge the ticked filings at once (policy L-2, D-1, D-2); each is handled
    by itself and reported: those that could not be acknowledged are named with the reason."""
    require(can_handle_filing(request.user))
    back = _back(request, reverse("filings:filing-list"))
    form = BulkAcknowledgeForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(back)
    outcomes = filings_acknowledge_many(picks=form.picks, actor=request.user)
    done = [o for o in outcomes if o.ok]
    if done:
        messages.success(
            request,
            ngettext("已确认 %(n)d 件报备。", "已确认 %(n)d 件报备。", len(done))
            % {"n": len(done)},
        )
    for o in outcomes:
        if not o.ok:
            messages.error(
                request,
                _("未能确认“%(title)s”：%(reason)s") % {"title": o.title, "reason": o.message},
            )
    return redirect(back)
