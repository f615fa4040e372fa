"""Import schools from a bureau's spreadsheet (preview, then confirm) and export them back.

Thin views over members.imports (a package); the rules live there."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from members.filters import SchoolFilter
from members.imports import (
    COLUMNS,
    EXPORT_FORMATS,
    ImportRejected,
    school_export,
    school_import_commit,
    school_import_preview,
)
from members.models import School
from members.permissions import can_import_schools
from members.selectors import district_choices
from qingdao_groups.core.audit import export_record_add
from qingdao_groups.core.exports import filter_params, params_to_json
from qingdao_groups.core.exports.views import stream_response
from qingdao_groups.core.forms import BootstrapFormMixin, UploadInput
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.submissions import ALREADY_DONE, once, token_for


class SchoolImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("数据文件"),
        widget=UploadInput(accept=".xlsx,.csv"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Excel（.xlsx）或 CSV 文件，不超过 %(mb).0f MB、%(rows)d 行。"
        ) % {
            "mb": settings.SCHOOL_IMPORT_MAX_BYTES / 1024 / 1024,
            "rows": settings.SCHOOL_IMPORT_MAX_ROWS,
        }


class SchoolImportConfirmForm(BootstrapFormMixin, forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)


def _district_labels(shown: int = 30) -> list[str]:
    """The district names a file may use (the first ones when a nation has thousands)."""
    names = [name for _code, name in district_choices()]
    return names if len(names) <= shown else [*names[:shown], "…"]


def _render(request, *, form=None, preview=None):
    return render(
        request,
        "members/school_import.html",
        {
            "form": form,
            "preview": preview,
            "confirm_form": (
                SchoolImportConfirmForm(initial={"token": preview.token})
                if preview is not None and preview.can_commit
                else None
            ),
            "columns": COLUMNS,
            "district_labels": _district_labels(),
            "stage_labels": School.Stage.labels,
            "nature_labels": School.Nature.labels,
        },
    )


@require_http_methods(["GET", "POST"])
def school_import_view(request):
    require(can_import_schools(request.user))
    if request.method == "POST" and "token" in request.POST:
        return _commit(request)
    form = SchoolImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview = school_import_preview(
                user=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except RuleRefusal as exc:
            form.add_error("file", exc.message)
        else:
            return _render(
                request, form=None if preview.can_commit else SchoolImportForm(), preview=preview
            )
    return _render(request, form=form)


def _commit(request):
    form = SchoolImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("导入预览已过期或已经提交，请重新上传文件。"))
        return redirect("members:school-import")
    preview_token = form.cleaned_data["token"]
    try:
        # Confirming the same preview twice (a double click) imports once.
        result, created = once(
            token_for(preview_token),
            request.user,
            lambda: school_import_commit(user=request.user, preview_token=preview_token),
        )
    except ImportRejected as exc:
        messages.error(request, exc.message)
        if exc.preview is None:
            return redirect("members:school-import")
        form = None if exc.preview.can_commit else SchoolImportForm()
        return _render(request, form=form, preview=exc.preview)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
        return redirect("members:school-import")
    if not created:
        messages.info(request, ALREADY_DONE)
        return redirect("members:school-list")
    messages.success(
        request,
        _("导入完成：新建 %(created)d 所学校，更新 %(updated)d 所学校。")
        % {
            "created": result.created,
            "updated": result.updated,
        },
    )
    return redirect("members:school-list")


@require_GET
def school_export_view(request):
    """Any signed-in user: the file holds only the schools they may see (and the list's filters)."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("不支持的导出格式。"))

    export = school_export(
        user=request.user,
        fmt=fmt,
        template=bool(request.GET.get("template")),
        narrow=lambda qs: SchoolFilter(request.GET, queryset=qs).qs,
    )
    # Streamed in bounded memory: XLSX from the temporary file it was written to, CSV as the
    # rows are read (issue 7: the whole data set used to be built in memory). Always at once,
    # whatever the size: the import's round trip (the list page's buttons go through
    # exports:list, which sends a large export to the worker).
    # Who took what away (policy A-1): the round trip's file is an export too.
    export_record_add(
        actor=request.user,
        kind="list",
        key="schools",
        fmt=fmt,
        params=params_to_json(filter_params(request.GET)),
    )
    return stream_response(export)
