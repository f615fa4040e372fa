"""The auditors' desk's filters: a person and a group picked by searching (at most 20 found,
htmx, `audit:pick`), a date range, a kind of record. Input shape only."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.audit import AuditFilters, audit_picker, kind_choices
from qingdao_groups.core.filters import BootstrapFilterForm
from qingdao_groups.core.forms import DateInput


class AuditPickerWidget(forms.Select):
    """The chosen one as the only option, and a search box whose results replace the options."""

    template_name = "audit/_picker.html"

    def __init__(self, key: str, placeholder, attrs=None):
        super().__init__(attrs)
        self.key, self.placeholder = key, placeholder

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if str(v).isdigit() and len(str(v)) < 12][:1]
        options = [self.create_option(name, "", _("全部"), not chosen, 0)]
        picker = audit_picker(self.key)
        if chosen and picker is not None:
            label = picker.label(int(chosen[0]))
            if label:
                options.append(self.create_option(name, chosen[0], label, True, 1))
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse("audit:pick", args=[self.key])
        context["widget"]["placeholder"] = self.placeholder
        return context


class AuditFilterForm(BootstrapFilterForm):
    person = forms.IntegerField(
        label=_("操作人"),
        required=False,
        min_value=1,
        widget=AuditPickerWidget("person", _("按姓名或账号搜索")),
    )
    start = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("记录类别"), required=False)
    group = forms.IntegerField(
        label=_("涉及集团"),
        required=False,
        min_value=1,
        widget=AuditPickerWidget("group", _("按集团名称或编号搜索")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部类别")), *kind_choices()]
        if audit_picker("group") is None:
            del self.fields["group"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters (a condition in error filters nothing; the page says so)."""
        self.is_valid()
        d = self.cleaned_data
        return AuditFilters(
            person=d.get("person"),
            start=d.get("start"),
            end=d.get("end"),
            kind=d.get("kind") or None,
            group=d.get("group"),
        )
