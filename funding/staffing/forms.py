"""Staffing request, handling and principal-rank forms (policy S-1, S-2): input shape only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.staffing.models import StaffingRequest
from funding.staffing.services import COUNT_MAX, REASON_MAX
from members.models import User
from qingdao_groups.core.forms import BootstrapFormMixin, VersionedForm
from qingdao_groups.core.submissions import SubmissionField


class StaffingRequestForm(BootstrapFormMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("集团"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("事项"), choices=StaffingRequest.Kind.choices)
    count = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        max_value=COUNT_MAX,
        help_text=_("需要的编制数、招聘人数或岗位数。"),
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "提交时系统自动附上集团情况（成员校数、薄弱学校占比、派驻人员、校长职级），供编制和人社部门排定优先次序（政策 S-1）。"
        ),
    )
    submission = SubmissionField()

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        field.queryset = groups
        if len(groups) == 1:
            field.initial = groups[0].pk
            field.widget = forms.HiddenInput()


class StaffingHandleForm(VersionedForm):
    note = forms.CharField(
        label=_("处理意见"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如已纳入编制调整计划、已列入招聘计划或暂不能满足的原因。"),
    )


class PrincipalRankForm(BootstrapFormMixin, forms.Form):
    rank = forms.ChoiceField(
        label=_("校长职级"),
        choices=[("", _("未评定"))] + list(User.Rank.choices),
        required=False,
    )
    note = forms.CharField(
        label=_("依据"),
        required=False,
        max_length=500,
        help_text=_("例如评定文件的文号。"),
    )
