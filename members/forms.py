from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import School
from members.services import check_core_school_keeps_authority
from qingdao_groups.core.forms import BootstrapFormMixin
from qingdao_groups.core.submissions import SubmissionField


class SchoolForm(BootstrapFormMixin, forms.ModelForm):
    submission = SubmissionField()  # read when creating (members.views.school_create_view)

    class Meta:
        model = School
        fields = [
            "name",
            "code",
            "authority",
            "district",
            "stage",
            "nature",
            "is_weak",
            "weak_rated_year",
            "is_legal_entity",
            "principal_name",
        ]

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authorities is not None:
            self.fields["authority"].queryset = authorities

    def clean_authority(self):
        """A core school keeps its authority (policy L-1; members.services states the rule)."""
        authority = self.cleaned_data["authority"]
        decision = check_core_school_keeps_authority(
            school_id=self.instance.pk,
            old_authority_id=self.instance.authority_id,
            new_authority_id=authority.pk if authority else None,
        )
        if not decision:
            raise forms.ValidationError(decision.reason)
        return authority

    def clean_code(self):
        # Full-width digits typed with a Chinese input method become ASCII (as the import does).
        import unicodedata

        return unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip()


class SecondFactorTokenForm(BootstrapFormMixin, forms.Form):
    """The 6-digit code from the authenticator app, or a recovery code (issue 12)."""

    token = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_(
            "打开手机上的身份验证器，输入当前显示的 6 位数字；手机不在身边时可输入一个恢复码。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SecondFactorEnrolForm(BootstrapFormMixin, forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_("扫描二维码后，输入验证器中显示的 6 位数字完成绑定。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class SecondFactorResetForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("重置原因"),
        max_length=500,
        help_text=_("写明设备丢失的情况，以及您如何核实了本人身份（如电话回拨、当面核验）。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
