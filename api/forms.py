from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import Scope
from api.services import KEY_DAYS_DEFAULT, KEY_DAYS_MAX
from members.models import Authority, School
from members.pickers import ChoicePickerWidget
from qingdao_groups.core.forms import BootstrapFormMixin


class AuthorityPicker(ChoicePickerWidget):
    """The filters' authority picker (a search box at nation scale), asking for a choice."""

    empty_label = gettext_lazy("— 学校的系统不选 —")


class ClientForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("客户端名称"),
        max_length=100,
        help_text=gettext_lazy("调用方系统的名称，如“市南区教育管理平台”。"),
    )
    authority = forms.ModelChoiceField(
        label=gettext_lazy("所属教育行政部门"),
        queryset=Authority.objects.education(),
        required=False,
        widget=AuthorityPicker("authority"),
        help_text=gettext_lazy(
            "区（市）或市教育局的系统选部门；学校的系统不选，填下面的学校标识码。"
        ),
    )
    school_code = forms.CharField(
        label=gettext_lazy("学校标识码"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("学校的系统填 10 位学校标识码。"),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限范围"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "只勾选该系统需要的权限；数据范围与该部门或学校人员在页面上看到的相同。"
        ),
    )
    contact = forms.CharField(label=gettext_lazy("联系人及电话"), max_length=100, required=False)
    valid_days = forms.IntegerField(
        label=gettext_lazy("密钥有效期（天）"),
        min_value=1,
        max_value=KEY_DAYS_MAX,
        initial=KEY_DAYS_DEFAULT,
    )

    def clean(self):
        data = super().clean()
        code = (data.get("school_code") or "").strip()
        school = None
        if code:
            school = School.objects.filter(code=code).first()
            if school is None:
                self.add_error("school_code", _("没有标识码为 %(code)s 的学校。") % {"code": code})
        data["school"] = school
        if self.errors:
            return data
        if bool(data.get("authority")) == bool(school):
            raise forms.ValidationError(
                _("请选择一个教育行政部门，或填写一所学校的标识码（二者选一）。")
            )
        return data


class RotateForm(BootstrapFormMixin, forms.Form):
    valid_days = forms.IntegerField(
        label=gettext_lazy("新密钥有效期（天）"),
        min_value=1,
        max_value=KEY_DAYS_MAX,
        initial=KEY_DAYS_DEFAULT,
    )
    keep_old_hours = forms.IntegerField(
        label=gettext_lazy("旧密钥保留（小时）"),
        min_value=0,
        max_value=72,
        initial=0,
        help_text=gettext_lazy("0 表示旧密钥立即失效；最多保留 72 小时，供对方系统切换。"),
    )
