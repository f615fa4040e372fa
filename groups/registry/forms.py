"""Input shapes for the registry pages; state changes happen in groups.registry.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.registry.models import (
    SUBTYPES_BY_TYPE,
    EducationGroup,
    Membership,
    RelationSubtype,
    RelationType,
    UnifiedArea,
)
from members.models import Partner, School
from members.pickers import SchoolPickerField
from qingdao_groups.core.forms import LONG_TEXT_MAX, BootstrapFormMixin, DateInput
from qingdao_groups.core.submissions import SubmissionField


class GroupCreateForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("集团名称"), max_length=100)
    code = forms.CharField(
        label=_("集团编号"),
        max_length=30,
        help_text=_("格式：QD + 成立年份 + 三位序号，如 QD2019001。"),
    )
    core_school = SchoolPickerField("group-core", label=_("核心校"))
    specialty = forms.CharField(
        label=_("集团特色"), max_length=200, help_text=_("一集团一特色（政策 G-5）")
    )
    unified_areas = forms.MultipleChoiceField(
        label=_("统一领域"),
        choices=UnifiedArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("核心校引领统一的领域（政策 G-2）"),
    )
    founded_on = forms.DateField(label=_("成立日期"), widget=DateInput())
    chief_principal_name = forms.CharField(
        label=_("总校长"),
        max_length=50,
        required=False,
        help_text=_("留空则由核心校校长担任（政策 G-3）"),
    )
    chief_principal_reason = forms.CharField(
        label=_("总校长非核心校校长的理由"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description = forms.CharField(
        label=_("简介"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission = SubmissionField()

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["core_school"].queryset = schools if schools is not None else School.objects

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if EducationGroup.objects.filter(name=name).exists():
            raise forms.ValidationError(_("已有同名的教育集团。"))
        return name

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if EducationGroup.objects.filter(code=code).exists():
            raise forms.ValidationError(_("该集团编号已被使用。"))
        return code


SUBTYPE_HELP = _("须属于所选合作类型（政策 T-1 至 T-3）")


def SUBTYPE_WIDGET():  # noqa: N802 (a widget per field, like a class)
    """The subtype select, narrowed by static/js/subtype-select.js to the chosen type's."""
    return forms.Select(attrs={"data-subtype-of": "relation_type"})


class SubtypeOfTypeMixin(forms.Form):
    """A relation type with a subtype of that type (policy T-1 … T-3): the select offers only
    the type's subtypes where scripts run; without them, submitting a mismatch says which
    subtypes the type has."""

    class Media:
        js = ["js/subtype-select.js"]

    def clean(self):
        cleaned = super().clean()
        kind, subtype = cleaned.get("relation_type"), cleaned.get("relation_subtype")
        if kind and subtype and subtype not in SUBTYPES_BY_TYPE.get(kind, []):
            labels = dict(RelationSubtype.choices)
            self.add_error(
                "relation_subtype",
                _(
                    "“%(subtype)s”不属于“%(type)s”；%(type)s的子类型为：%(choices)s（政策 T-1 至 T-3）。"
                )
                % {
                    "subtype": labels.get(subtype, subtype),
                    "type": dict(RelationType.choices).get(kind, kind),
                    "choices": "、".join(f"{labels[s]}（{s}）" for s in SUBTYPES_BY_TYPE[kind]),
                },
            )
        return cleaned


class MembershipAddForm(SubtypeOfTypeMixin, BootstrapFormMixin, forms.Form):
    school = SchoolPickerField("membership-add", label=_("学校"))
    relation_type = forms.ChoiceField(label=_("合作类型"), choices=RelationType.choices)
    relation_subtype = forms.ChoiceField(
        label=_("合作子类型"),
        choices=RelationSubtype.choices,
        widget=SUBTYPE_WIDGET(),
        help_text=SUBTYPE_HELP,
    )
    joined_on = forms.DateField(label=_("加入日期"), widget=DateInput())
    note = forms.CharField(
        label=_("备注"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    submission = SubmissionField()

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects


class MembershipEndForm(BootstrapFormMixin, forms.Form):
    left_on = forms.DateField(
        label=_("离开日期"), widget=DateInput(), help_text=_("自该日起不再是成员")
    )
    end_reason = forms.ChoiceField(label=_("离开原因"), choices=Membership.EndReason.choices)
    note = forms.CharField(
        label=_("备注"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PartnershipAddForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(label=_("合作单位"), queryset=Partner.objects.all())
    projects = forms.CharField(
        label=_("合作项目"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个项目"),
    )
    started_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    submission = SubmissionField()
