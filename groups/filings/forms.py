"""District filings with the city (policy L-2, D-1, D-2): access -> form -> service -> message ->
redirect (house style). The forms are small and only serve these pages, so they live here.

Files: the filing authority's staff attach the policy text or other documents while the filing is
with the city or returned (policy D-1, D-2, L-2). A file is checked by content in the form; a
filing created with a file is stored together with it or not at all."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.filings.models import Filing
from groups.filings.permissions import (
    FILING_UPLOAD_KINDS,
)
from groups.filings.workflows import FilingAction
from qingdao_groups.core.forms import (
    LONG_TEXT_MAX,
    BootstrapFormMixin,
    CheckedFileField,
    DateInput,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField
from qingdao_groups.models import Attachment

START_HELP = gettext_lazy(
    "改革创新项目须提前报备：开始日期须晚于报备日期（今天），否则标记为未提前报备（政策 D-2）。"
)


class FilingContentForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("内容摘要"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    project_starts_on = forms.DateField(
        label=gettext_lazy("项目开始日期"), required=False, widget=DateInput(), help_text=START_HELP
    )


def _file_kind_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("材料类别"),
        initial=Attachment.Kind.POLICY,
        choices=[(k.value, k.label) for k in FILING_UPLOAD_KINDS],
        help_text=gettext_lazy(
            "配套政策的文本（政策 D-1）或其他报备材料，如项目实施方案（政策 D-2）。"
        ),
        **kwargs,
    )


class FilingCreateForm(FilingContentForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"),
        choices=[
            (Filing.Kind.POLICY, Filing.Kind.POLICY.label),
            (Filing.Kind.PROJECT, Filing.Kind.PROJECT.label),
        ],
        help_text=gettext_lazy("配套政策（政策 D-1）；改革创新项目须在开始前报备（政策 D-2）。"),
    )
    file = CheckedFileField(label=gettext_lazy("报备材料（可选）"), required=False)
    file_kind = _file_kind_field(required=False)  # only read when a file comes with it
    submission = SubmissionField()
    field_order = ["kind", "title", "project_starts_on", "description", "file", "file_kind"]


class FilingUploadForm(BootstrapFormMixin, forms.Form):
    kind = _file_kind_field()
    file = CheckedFileField(label=gettext_lazy("文件"))
    submission = SubmissionField()


class FilingRefileForm(FilingContentForm, VersionedForm):
    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Filing.Kind.PROJECT:
            del self.fields["project_starts_on"]


class FilingHandleForm(VersionedForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("办理结果"),
        choices=[
            (FilingAction.ACKNOWLEDGE, gettext_lazy("确认（已知悉，予以备案）")),
            (FilingAction.RETURN, gettext_lazy("退回，请报备部门补充或修改")),
        ],
        help_text=gettext_lazy(
            "报备不是审批：区（市）批准成立的集团自批准之日起运行（政策 L-2）。"
        ),
    )
    remarks = forms.CharField(
        label=gettext_lazy("意见"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("退回时必须填写；确认时可附意见。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == FilingAction.RETURN and not (data.get("remarks") or "").strip():
            self.add_error("remarks", _("退回报备须填写意见，告诉报备部门需要补充或修改什么。"))
        return data


BULK_MAX = 100  # filings acknowledged in one go


class BulkAcknowledgeForm(forms.Form):
    """The filings ticked in the work list or the filing list, each as "<id>:<version>" (the
    version the reader saw: a filing changed since is refused, policy L-2, D-1, D-2)."""

    def __init__(self, data=None):
        super().__init__(data)
        self.picks: list[tuple[int, int]] = []

    def clean(self):
        values = self.data.getlist("pick") if self.data else []
        picks: dict[int, int] = {}
        for value in values:
            pk, _sep, version = str(value).partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError(_("所选报备有误，请刷新页面后重试。"))
            picks.setdefault(int(pk), int(version))
        if not picks:
            raise forms.ValidationError(_("请先勾选要确认的报备。"))
        if len(picks) > BULK_MAX:
            raise forms.ValidationError(
                _("一次最多确认 %(n)d 件报备，请分批办理。") % {"n": BULK_MAX}
            )
        self.picks = list(picks.items())
        return super().clean()
