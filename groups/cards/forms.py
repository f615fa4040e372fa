"""Yellow and red card pages (policy L-6): access -> form -> service -> message -> redirect.

Every card is fetched through the scoped selector (a swapped id gives 404); each action posts a
form that carries the card's version, so a form opened before someone else acted changes
nothing and says so.

Files (issue 3 "Documents"): the issuing authority's staff add evidence, the warned member's
principal adds rectification material (policy L-6). A file is checked by content in the form,
before any service runs; where a file comes with an action (issuing, responding) the action and
the file are stored in one transaction, so a refused file leaves no card and no response."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.cards.models import Card
from groups.cards.services import card_state_label
from qingdao_groups.core.forms import (
    LONG_TEXT_MAX,
    BootstrapFormMixin,
    CheckedFileField,
    DateInput,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField


class RespondForm(VersionedForm):
    rectification = forms.CharField(
        label=gettext_lazy("整改情况"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("说明已采取的整改措施和效果（政策 L-6）"),
    )
    file = CheckedFileField(label=gettext_lazy("整改材料（可选）"), required=False)


class UploadForm(BootstrapFormMixin, forms.Form):
    """A card document; its kind is fixed by the uploader's role (policy L-6)."""

    file = CheckedFileField(label=gettext_lazy("文件"))
    submission = SubmissionField()


class LiftForm(VersionedForm):
    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(VersionedForm):
    note = forms.CharField(
        label=gettext_lazy("不通过的理由"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_deadline = forms.DateField(
        label=gettext_lazy("新的整改期限"), widget=DateInput(), help_text=gettext_lazy("须晚于今天")
    )


class EscalateForm(VersionedForm):
    reason = forms.CharField(
        label=gettext_lazy("红牌理由"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("红牌即淘汰：成员关系自今日起结束，原因记为“红牌淘汰”（政策 L-6）"),
    )


class IssueForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("级别"), choices=Card.Level.choices, initial=Card.Level.YELLOW
    )
    ground = forms.ChoiceField(
        label=gettext_lazy("事由"),
        choices=Card.Ground.choices,
        help_text=gettext_lazy("政策 L-6 规定的两种情形"),
    )
    description = forms.CharField(
        label=gettext_lazy("情况说明 / 红牌理由"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateField(
        label=gettext_lazy("整改期限（黄牌）"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("留空则按政策参数中的默认整改期限（政策 L-6）"),
    )
    escalate_from = forms.ModelChoiceField(
        label=gettext_lazy("由此黄牌升级（红牌）"),
        queryset=Card.objects.none(),
        required=False,
        help_text=gettext_lazy("将未结束的黄牌升级为红牌（政策 L-6）"),
    )
    severe = forms.BooleanField(
        label=gettext_lazy("发生严重事故，直接发出红牌（红牌）"),
        required=False,
        help_text=gettext_lazy(
            "未经黄牌直接淘汰须写明事故情况和理由，事由记为重大事故（政策 L-6）"
        ),
    )
    evidence = CheckedFileField(label=gettext_lazy("证明材料（可选）"), required=False)
    submission = SubmissionField()

    def __init__(self, *args, open_yellows=None, **kwargs):
        super().__init__(*args, **kwargs)
        if open_yellows is not None:
            self.fields["escalate_from"].queryset = open_yellows
        self.fields["escalate_from"].label_from_instance = lambda c: (
            _("%(date)s 黄牌（%(status)s）")
            % {"date": timezone.localdate(c.issued_at), "status": card_state_label(c)}
        )
