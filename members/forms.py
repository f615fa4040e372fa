from django import forms

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
