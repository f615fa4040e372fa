"""Document pages: a group's versioned documents with upload, side-by-side comparison of two
versions, and permission-checked downloads (issue 3 "Documents"; policy G-4, L-1, L-8).

Files are never served from MEDIA_URL: every download goes through a view here that checks
the user may see the owner (404 otherwise), sends `Content-Disposition: attachment` and
`X-Content-Type-Options: nosniff`."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.charter.services import GROUP_UPLOAD_KINDS
from qingdao_groups.core.forms import BootstrapFormMixin, CheckedFileField
from qingdao_groups.core.submissions import SubmissionField


class GroupDocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("文件类别"),
        choices=[(k.value, k.label) for k in GROUP_UPLOAD_KINDS],
        help_text=gettext_lazy(
            "集团依章程运行（政策 G-4），在章程下制定内部管理制度（政策 L-8）。"
        ),
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    adopted_on = forms.DateField(
        label=gettext_lazy("通过日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = CheckedFileField(label=gettext_lazy("文件"))
    submission = SubmissionField()

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF、OFD、DOCX 或 PNG/JPEG/GIF 图片，不超过 %(mb).0f MB；系统按文件内容判断类型。"
            "每次上传生成一个新版本，旧版本保留。"
        ) % {"mb": max_bytes / 1024 / 1024}
