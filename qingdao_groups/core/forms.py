"""Form parts every feature uses: Bootstrap classes on every widget, the date input, the
version a form carries, the checked file field."""


from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from qingdao_groups.core.uploads import UploadRejected, upload_limit_bytes, validate_upload

# A person's reason, remarks, opinion, justification, conditions or note is kept whole in a text
# column (issue 6); the form bounds it generously so 10,000 Chinese characters pass and a pasted
# book gets a clear message instead of a slow request.
LONG_TEXT_MAX = 20_000


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                # A list of choices: Bootstrap's form-control would hide the native inputs.
                widget.attrs["class"] = "list-unstyled"
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VersionedForm(BootstrapFormMixin, forms.Form):
    """Carries the version the user saw, so a stale form is refused instead of applied."""

    version = forms.IntegerField(widget=forms.HiddenInput)


ACCEPT = ".pdf,.ofd,.docx,.png,.jpg,.jpeg,.gif"


FILE_HELP = gettext_lazy("PDF、OFD、DOCX 或 PNG/JPEG/GIF 图片，大小不超过系统设定的上限"
                         "（默认 20 MB）；系统按文件内容判断类型，与扩展名无关。")


RESELECT = gettext_lazy("出于安全原因，浏览器不会保留已选的文件，请重新选择。")


class CheckedFileField(forms.FileField):
    """A file checked by content (magic bytes, zip structure, size) when the form is cleaned, so a
    refused file stops the request before any service changes anything (issue 3 "Documents").
    The storing service checks it again."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", FILE_HELP)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT}))
        # An empty file gets the same message as every other refused upload.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            try:
                validate_upload(uploaded, max_bytes=upload_limit_bytes())
            except UploadRejected as exc:
                raise ValidationError(exc.message, code="upload") from exc
        return uploaded


def keep_file_hint(form) -> None:
    """After a refusal elsewhere in a form that carried a file, say the file must be chosen again
    (browsers never refill a file input); the typed input stays in the bound form."""
    name = next((n for n, f in form.fields.items() if isinstance(f, forms.FileField)), None)
    if name and form.errors and name not in form.errors and form.files.get(form.add_prefix(name)):
        form.add_error(name, RESELECT)
