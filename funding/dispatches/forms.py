"""Dispatch forms (policy F-4): input shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.dispatches.models import Dispatch
from qingdao_groups.core.forms import BootstrapFormMixin, DateInput, VersionedForm
from qingdao_groups.core.submissions import SubmissionField


class DispatchFields(BootstrapFormMixin, forms.Form):
    # Any school id is accepted here: the service answers a school that is not a member of the
    # group (or not on the start date) with the rule's own words (policy F-4).
    school = forms.IntegerField(
        label=_("派驻到成员校"), widget=forms.Select(), min_value=1, max_value=2**31 - 1
    )
    person_name = forms.CharField(label=_("派驻人员姓名"), max_length=50)
    role = forms.ChoiceField(label=_("派驻岗位"), choices=Dispatch.Role.choices)
    starts_on = forms.DateField(label=_("派驻开始日期"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("派驻结束日期"),
        required=False,
        widget=DateInput(),
        help_text=_("最后一个在岗日；未定可不填。跨年度的派驻按财政年度分别计算补助月数。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, schools: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].widget.choices = [("", _("请选择成员校")), *schools]


class DispatchCreateForm(DispatchFields):
    submission = SubmissionField()


class DispatchEditForm(DispatchFields, VersionedForm):
    pass


class DispatchEndForm(VersionedForm):
    ends_on = forms.DateField(
        label=_("最后一个在岗日"),
        widget=DateInput(),
        help_text=_("派驻到该日为止；补助按覆盖当月15日的月份计算（政策 F-4）。"),
    )
