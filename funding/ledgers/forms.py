"""The ledger pages' forms (issue 9): input shape only. Each step carries the version the reader
saw (VersionedForm), so a form opened before someone else acted changes nothing and says so."""

from django import forms
from django.utils.translation import gettext_lazy

from qingdao_groups.core.forms import LONG_TEXT_MAX, VersionedForm


class LedgerConfirmForm(VersionedForm):
    """The paying authority's staff confirm the lines they pay (policy F-1, F-2, F-4)."""


class LedgerLockForm(VersionedForm):
    """The city finance bureau's reviewer locks a confirmed ledger."""


class LedgerReturnForm(VersionedForm):
    reason = forms.CharField(
        label=gettext_lazy("退回理由"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("说明需要核实或更正的内容；理由记入台账的办理记录。"),
    )
