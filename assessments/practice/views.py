"""Good-practice cases (policy A-6): the staff pages (list, case, form, review, withdrawal) and
the public pages (list and case, no login). Access -> form -> service -> message -> redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from assessments.practice.filters import CaseFilter, PublicCaseFilter
from assessments.practice.forms import (
    CaseCreateForm,
    CaseEditForm,
    CaseReviewForm,
    CaseSubmitForm,
    CaseUploadForm,
    CaseWithdrawForm,
)
from assessments.practice.models import PracticeCase
from assessments.practice.permissions import (
    can_create_case,
    can_edit_case,
    can_review_case,
    can_upload_to_case,
)
from assessments.practice.selectors import (
    case_files,
    case_get_for_user,
    case_list_for_user,
    cover_pictures,
    group_for_case,
    groups_for_case_form,
    public_file_get,
    published_case_get,
    published_cases,
)
from assessments.practice.services import (
    case_attachment_add,
    case_create,
    case_edit,
    case_publish,
    case_return,
    case_submit,
    case_withdraw,
)
from assessments.practice.workflows import CASE_TRANSITIONS, CaseAction, CaseStatus
from qingdao_groups.core.documents import file_response
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.uploads import EXTENSIONS
from qingdao_groups.core.views import refuse_if_moved_on
from qingdao_groups.core.workflow import can_move

PAGE_SIZE = 25
PUBLIC_PAGE_SIZE = 12
MOVED_ON = gettext_lazy("该典型案例当前状态为“%(status)s”，无需再办理。")


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- staff pages ------------------------------------------------------------------------------


def case_list_view(request):
    """The cases the user sees (policy A-6), newest first, by status, district, group, text."""
    user = request.user
    filterset = CaseFilter(request.GET or None, queryset=case_list_for_user(user=user))
    page = KeyFirstPaginator(filterset.qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "practice/case_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": _query_string(request),
            "can_create": can_create_case(user).allowed,
        },
    )


def case_create_view(request):
    """A core principal writes up the group's practice; staff collect a case (policy A-6)."""
    user = request.user
    require(can_create_case(user))
    groups = groups_for_case_form(user=user)
    form = CaseCreateForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = group_for_case(user=user, text=str(data["group"]))
        if len(found) != 1:
            form.add_error(
                "group",
                _("找不到该集团，或您无权为其填写典型案例：请填写集团编号或全称。")
                if not found
                else _("有多个集团同名，请填写集团编号。"),
            )
        else:
            try:
                case, created = once(
                    data["submission"],
                    user,
                    lambda: case_create(
                        group=found[0], title=data["title"], text=data["text"], actor=user
                    ),
                )
            except RuleRefusal as exc:
                add_form_error(form, exc)
            else:
                if created:
                    messages.success(request, _("已保存草稿。可以上传图片或附件，然后提交审核。"))
                else:
                    messages.info(request, ALREADY_DONE)
                return redirect("practice:case-detail", case_id=case.pk)
    return render(request, "practice/case_form.html", {"form": form, "case": None})


def case_detail_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    return _render_detail(request, case)


def _render_detail(request, case: PracticeCase, upload_form: CaseUploadForm | None = None):
    user = request.user
    history = list(
        history_rows(PracticeCase, pk=case.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    pictures, documents = case_files(case)
    may_edit = can_edit_case(user, case).allowed
    may_upload = can_upload_to_case(user, case).allowed
    if may_upload and upload_form is None:
        upload_form = CaseUploadForm()
    may_review = can_review_case(user, case).allowed
    return render(
        request,
        "practice/case_detail.html",
        {
            "case": case,
            "history": history,
            "pictures": pictures,
            "documents": documents,
            "can_edit": may_edit and can_move(CASE_TRANSITIONS, case.status, CaseAction.EDIT),
            "submit_form": (
                CaseSubmitForm(initial={"version": case.version})
                if may_edit and case.status in (CaseStatus.DRAFT, CaseStatus.RETURNED)
                else None
            ),
            "can_review": may_review
            and can_move(CASE_TRANSITIONS, case.status, CaseAction.PUBLISH),
            "can_withdraw": may_review
            and can_move(CASE_TRANSITIONS, case.status, CaseAction.WITHDRAW),
            "upload_form": upload_form if may_upload else None,
        },
    )


def case_edit_view(request, case_id: int):
    """Change a draft or returned case (policy A-6)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require(can_edit_case(request.user, case))
    if refuse_if_moved_on(request, case, CASE_TRANSITIONS, (CaseAction.EDIT,), MOVED_ON):
        return redirect("practice:case-detail", case_id=case.pk)
    initial = {"title": case.title, "text": case.text, "version": case.version}
    form = CaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_edit(
                case=case,
                title=data["title"],
                text=data["text"],
                actor=request.user,
                expected_version=data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("practice:case-detail", case_id=case.pk)
    return render(request, "practice/case_form.html", {"form": form, "case": case})


@require_POST
def case_submit_view(request, case_id: int):
    """Submit (or resubmit) a case for review (policy A-6)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require(can_edit_case(request.user, case))
    form = CaseSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("页面已过期，请刷新后再提交。"))
        return redirect("practice:case-detail", case_id=case.pk)
    try:
        case_submit(case=case, actor=request.user, expected_version=form.cleaned_data["version"])
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交审核。"))
    return redirect("practice:case-detail", case_id=case.pk)


@require_POST
def case_upload_view(request, case_id: int):
    """Add a picture or an attachment while the authors hold the case (policy A-6)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require(can_edit_case(request.user, case))
    decision = can_upload_to_case(request.user, case)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("practice:case-detail", case_id=case.pk)
    form = CaseUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: case_attachment_add(
                    case=case, uploaded_file=form.cleaned_data["file"], actor=request.user
                ),
            )
        except RuleRefusal as exc:
            if exc.field != "file":
                messages.error(request, exc.message)
                return redirect("practice:case-detail", case_id=case.pk)
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request, _("已上传：%(name)s") % {"name": attachment.original_name}
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("practice:case-detail", case_id=case.pk)
    return _render_detail(request, case, upload_form=form)


def case_review_view(request, case_id: int):
    """Publish a submitted case or return it with remarks (policy A-6)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require(can_review_case(request.user, case))
    actions = (CaseAction.PUBLISH, CaseAction.RETURN)
    if refuse_if_moved_on(request, case, CASE_TRANSITIONS, actions, MOVED_ON):
        return redirect("practice:case-detail", case_id=case.pk)
    form = CaseReviewForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = case_publish if data["decision"] == CaseAction.PUBLISH else case_return
        try:
            case = service(
                case=case,
                remarks=data["remarks"],
                actor=request.user,
                expected_version=data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("已发布：%(title)s") % {"title": case.title}
                if case.status == CaseStatus.PUBLISHED
                else _("已退回：%(title)s") % {"title": case.title},
            )
            return redirect("practice:case-detail", case_id=case.pk)
    pictures, documents = case_files(case)
    return render(
        request,
        "practice/case_review.html",
        {"form": form, "case": case, "pictures": pictures, "documents": documents},
    )


def case_withdraw_view(request, case_id: int):
    """Take a published case off the public pages, with a reason (policy A-6)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require(can_review_case(request.user, case))
    if refuse_if_moved_on(request, case, CASE_TRANSITIONS, (CaseAction.WITHDRAW,), MOVED_ON):
        return redirect("practice:case-detail", case_id=case.pk)
    form = CaseWithdrawForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            case = case_withdraw(
                case=case,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已撤回发布：%(title)s") % {"title": case.title})
            return redirect("practice:case-detail", case_id=case.pk)
    return render(request, "practice/case_withdraw.html", {"form": form, "case": case})


# --- public pages (no login) ------------------------------------------------------------------


@login_not_required
@require_safe
def public_list_view(request):
    """Published cases, newest first, searchable and filtered by district and specialty
    (policy A-6): for parents and the public, no login."""
    filterset = PublicCaseFilter(request.GET or None, queryset=published_cases())
    page = KeyFirstPaginator(
        filterset.qs.order_by("-published_at", "-id"), PUBLIC_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    covers = cover_pictures(page.object_list)
    for case in page:
        case.cover = covers.get(case.pk)
    return render(
        request,
        "practice/public_list.html",
        {"form": filterset.form, "page_obj": page, "query_string": _query_string(request)},
    )


@login_not_required
@require_safe
def public_detail_view(request, case_id: int):
    """One published case with its pictures and attachments (policy A-6); 404 otherwise."""
    case = published_case_get(case_id)
    pictures, documents = case_files(case)
    return render(
        request,
        "practice/public_detail.html",
        {"case": case, "pictures": pictures, "documents": documents},
    )


@login_not_required
@require_safe
def public_file_view(request, case_id: int, attachment_id: int):
    """A picture or attachment of a published case, for anyone (policy A-6); 404 otherwise."""
    attachment = public_file_get(case_id, attachment_id)
    response = file_response(
        attachment.file,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        extension=EXTENSIONS.get(attachment.content_type, ""),
    )
    if attachment.content_type.startswith("image/"):
        # a published picture: shown in the page, and cached like any public image
        response["Content-Disposition"] = response["Content-Disposition"].replace(
            "attachment", "inline", 1
        )
        response["Cache-Control"] = "public, max-age=3600"
    return response
