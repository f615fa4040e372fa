from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import School
from qingdao_groups.core.forms import BootstrapFormMixin


class SchoolForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "code", "authority", "district", "stage", "nature", "is_weak",
                  "weak_rated_year", "is_legal_entity", "principal_name"]

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authorities is not None:
            self.fields["authority"].queryset = authorities

    def clean_authority(self):
        """The core school's authority approves its group's changes (policy L-1): moving a core
        school to another bureau would silently move that power, so it is refused here."""
        authority = self.cleaned_data["authority"]
        if self.instance.pk and authority and authority.pk != self.instance.authority_id:
            led = self.instance.led_groups.exclude(status="dissolved").values_list("name",
                                                                                   flat=True)
            if led:
                raise forms.ValidationError(
                    _("该校是“%(groups)s”的核心校，其主管部门即集团的审批部门（政策 L-1），"
                      "不能在此直接变更；请联系市教育局。") % {"groups": "、".join(led)})
        return authority

    def clean_code(self):
        # Full-width digits typed with a Chinese input method become ASCII (as the import does).
        import unicodedata

        return unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip()


