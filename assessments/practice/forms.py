"""Forms of good-practice cases (policy A-6): input shape only; the services decide."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.practice.workflows import CaseAction
from qingdao_groups.core.forms import (
    LONG_TEXT_MAX,
    BootstrapFormMixin,
    CheckedFileField,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField

TEXT_HELP = gettext_lazy(
    "纯文本。空一行开始新的段落。写清做法、过程、成效和可推广的经验（政策 A-6）。"
)


class CaseContentForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("正文"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=TEXT_HELP,
    )


class CaseCreateForm(CaseContentForm):
    """`groups`: the groups the user may write for, offered as a list; None when there are too
    many to list (the group is then named by its code or full name)."""

    submission = SubmissionField()
    field_order = ["group", "title", "text"]

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"] = forms.TypedChoiceField(
                label=gettext_lazy("教育集团"),
                coerce=int,
                choices=[(g.pk, f"{g.name}（{g.code}）") for g in groups],
            )
        else:
            self.fields["group"] = forms.CharField(
                label=gettext_lazy("教育集团"),
                max_length=100,
                help_text=gettext_lazy("填写集团编号（如 QD2019001）或集团全称。"),
            )
        self.order_fields(self.field_order)


class CaseEditForm(CaseContentForm, VersionedForm):
    pass


class CaseUploadForm(BootstrapFormMixin, forms.Form):
    file = CheckedFileField(
        label=gettext_lazy("图片或附件"),
        help_text=gettext_lazy(
            "PNG、JPEG、GIF 图片在案例页面上显示；PDF、OFD、DOCX 文档作为附件供下载。"
        ),
    )
    submission = SubmissionField()


class CaseReviewForm(VersionedForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"),
        choices=[
            (CaseAction.PUBLISH, gettext_lazy("发布（公开展示）")),
            (CaseAction.RETURN, gettext_lazy("退回修改")),
        ],
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("退回时必须填写；发布时可附意见。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == CaseAction.RETURN and not (data.get("remarks") or "").strip():
            self.add_error("remarks", _("退回典型案例须填写审核意见，说明需要修改什么。"))
        return data


class CaseWithdrawForm(VersionedForm):
    reason = forms.CharField(
        label=gettext_lazy("撤回发布的理由"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CaseSubmitForm(VersionedForm):
    pass
