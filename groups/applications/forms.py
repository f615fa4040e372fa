"""Input shapes of the application pages (founding, admission, exit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.applications.models import Application
from groups.applications.workflows import Action
from groups.registry.forms import SUBTYPE_HELP, SUBTYPE_WIDGET, SubtypeOfTypeMixin
from groups.registry.models import RelationSubtype, RelationType, UnifiedArea
from members.models import Partner, School
from members.pickers import SchoolPickerField
from qingdao_groups.core.forms import (
    LONG_TEXT_MAX,
    BootstrapFormMixin,
    CheckedFileField,
    DateInput,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField


def validate_start_on(value):
    """A date the change takes effect: not more than a year back (late paperwork), not more than
    three years ahead."""
    import datetime

    from django.utils import timezone

    if value is None:
        return
    today = timezone.localdate()
    if value < today - datetime.timedelta(days=366) or value > today + datetime.timedelta(
        days=3 * 366
    ):
        raise forms.ValidationError(
            _("生效日期须在一年前至三年后之间（%(start)s 至 %(end)s）。"),
            params={
                "start": today - datetime.timedelta(days=366),
                "end": today + datetime.timedelta(days=3 * 366),
            },
        )


class FoundingForm(VersionedForm):
    proposed_name = forms.CharField(label=_("拟定集团名称"), max_length=100)
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
    chief_principal_name = forms.CharField(
        label=_("拟任总校长"),
        max_length=50,
        required=False,
        help_text=_("原则上由核心校校长担任（政策 G-3）；留空即核心校校长"),
    )
    chief_principal_reason = forms.CharField(
        label=_("总校长非核心校校长的理由"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start_on = forms.DateField(
        label=_("拟成立日期"), required=False, widget=DateInput(), validators=[validate_start_on]
    )
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission = SubmissionField()


class AdmissionForm(VersionedForm):
    admission_mode = forms.ChoiceField(
        label=_("结合方式"),
        choices=Application.AdmissionMode.choices,
        help_text=_("学校自主结合或行政主导结合（政策 L-3）"),
    )
    start_on = forms.DateField(
        label=_("拟加入日期"), required=False, widget=DateInput(), validators=[validate_start_on]
    )
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission = SubmissionField()


class ExitForm(VersionedForm):
    reason = forms.CharField(
        label=_("申请理由"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_on = forms.DateField(
        label=_("拟退出日期"),
        required=False,
        widget=DateInput(),
        help_text=_("自该日起不再是成员校"),
        validators=[validate_start_on],
    )
    submission = SubmissionField()


class ProposedMemberForm(SubtypeOfTypeMixin, BootstrapFormMixin, forms.Form):
    school = SchoolPickerField("application-member", label=_("学校"))
    relation_type = forms.ChoiceField(label=_("合作类型"), choices=RelationType.choices)
    relation_subtype = forms.ChoiceField(
        label=_("合作子类型"),
        choices=RelationSubtype.choices,
        widget=SUBTYPE_WIDGET(),
        help_text=SUBTYPE_HELP,
    )
    through_training = forms.BooleanField(label=_("贯通式培养"), required=False)
    pilot_approval = forms.CharField(
        label=_("试点批准文号"),
        max_length=200,
        required=False,
        help_text=_("贯通式培养须经批准试点（政策 T-2a）"),
    )
    projects = forms.CharField(
        label=_("合作项目"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("联合型须至少一个项目（政策 T-3）；每行一个"),
    )
    submission = SubmissionField()

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects


class ProposedPartnerForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(label=_("合作单位"), queryset=Partner.objects.all())
    projects = forms.CharField(
        label=_("合作项目"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个项目"),
    )
    submission = SubmissionField()


class UploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=[])
    file = CheckedFileField(label=_("文件"), help_text=_("PDF、OFD、DOCX 或图片，不超过规定大小"))
    submission = SubmissionField()

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class ConsentForm(VersionedForm):
    given = forms.TypedChoiceField(
        label=_("表态"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不同意时必填"),
    )


class OpinionForm(VersionedForm):
    supports = forms.TypedChoiceField(
        label=_("核心校意见"),
        choices=[("1", _("支持退出")), ("0", _("不支持退出"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("意见说明"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(VersionedForm):
    action = forms.ChoiceField(
        label=_("审批结果"),
        widget=forms.RadioSelect,
        choices=[
            (Action.APPROVE, Action.APPROVE.label),
            (Action.APPROVE_WITH_CONDITIONS, Action.APPROVE_WITH_CONDITIONS.label),
            (Action.RETURN, Action.RETURN.label),
            (Action.REJECT, Action.REJECT.label),
        ],
    )
    reason = forms.CharField(
        label=_("审批意见"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        label=_("附加条件"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(
        label=_("对提示事项的书面说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("存在“原则上”规则提示时，批准须填写"),
    )
    # The digest of the live checks the page showed (checks.digest): an approval answers them.
    checks = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class EvaluationForm(BootstrapFormMixin, forms.Form):
    """One score field per checklist item, built from the group's criteria."""

    recommendation = forms.ChoiceField(
        label=_("评估建议"), choices=Application.Recommendation.choices
    )
    note = forms.CharField(
        label=_("评估说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, criteria=(), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name}（{_('满分')} {c.max_score}）",
                min_value=0,
                max_value=c.max_score,
                initial=initial_scores.get(c.pk),
                help_text=c.description,
            )
            self.fields[f"score_{c.pk}"].widget.attrs["class"] = "form-control"

    def scores(self) -> dict[int, tuple[int, str]]:
        return {c.pk: (self.cleaned_data[f"score_{c.pk}"], "") for c in self.criteria}
