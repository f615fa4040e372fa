"""Form parts every feature uses: Bootstrap classes on every widget, the date input, the
version a form carries, the checked file field, and the bounds every input gets (issue 6,
"Bad input never makes a server error").

Every form built on BootstrapFormMixin is bounded whatever its fields say: text has a length
(a single line 255 characters unless the field says less, prose 20,000), NUL and control
characters are removed, a single line refuses the characters that reverse the direction of text,
integers stay within what the database stores, and dates within DATE_MIN … today + 10 years."""

import datetime
import re

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from qingdao_groups.core.uploads import (
    UploadRejected,
    scanning_note,
    upload_limit_bytes,
    validate_upload,
)

# A person's reason, remarks, opinion, justification, conditions or note is kept whole in a text
# column (issue 6); the form bounds it generously so 10,000 Chinese characters pass and a pasted
# book gets a clear message instead of a slow request.
LONG_TEXT_MAX = 20_000

# A single line (a title, a name) and prose (a reason, remarks, an opinion): the defaults a field
# gets when it does not say; the columns behind prose are text columns.
LINE_MAX = 255
PROSE_MAX = 20_000
PASSWORD_MAX = 4096
# The range of a 32-bit integer column (PostgreSQL "integer"): a larger number in a form would
# fail in the database, not in the form.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# The earliest date any record of this registry can carry (the founding of the People's Republic,
# well before any school record), and how far ahead a plan may reach.
DATE_MIN = datetime.date(1949, 10, 1)
DATE_MAX_YEARS_AHEAD = 10

# C0/C1 control characters (NUL included); a multi-line text keeps tab and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): they make a title
# read differently from what is stored ("Trojan source").
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

BIDI_MESSAGE = gettext_lazy("不能包含改变文字方向的控制字符（如 U+202E），请删除后重新输入。")


def date_max(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + DATE_MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DATE_MAX_YEARS_AHEAD, day=28)


def validate_sane_date(value) -> None:
    """A date a person could mean here: not before DATE_MIN, not more than ten years ahead."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date()
    high = date_max()
    if value < DATE_MIN or value > high:
        raise ValidationError(
            gettext_lazy("日期须在 %(start)s 至 %(end)s 之间。"),
            code="date_range",
            params={"start": DATE_MIN.isoformat(), "end": high.isoformat()},
        )


def clean_line(value: str) -> str:
    """A single line as stored: control characters removed; direction overrides refused."""
    value = _CONTROL.sub("", value)
    if BIDI_CONTROLS.search(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi")
    return value


def clean_prose(value: str) -> str:
    """A multi-line text as stored: control characters other than tab and line breaks, and
    direction overrides, removed (prose is shown as plain escaped text)."""
    return BIDI_CONTROLS.sub("", _CONTROL_PROSE.sub("", value))


def _cleaning(to_python, cleaner):
    def wrapped(value):
        value = to_python(value)
        return cleaner(value) if isinstance(value, str) else value

    return wrapped


def bound_fields(form) -> None:
    """Give every field of `form` the bounds of this module when it has none of its own."""
    for field in form.fields.values():
        if isinstance(field, forms.UUIDField):
            continue
        if isinstance(field, forms.CharField):
            prose = isinstance(field.widget, forms.Textarea)
            password = isinstance(field.widget, forms.PasswordInput)
            if field.max_length is None:
                field.max_length = PASSWORD_MAX if password else PROSE_MAX if prose else LINE_MAX
            # A max_length set after the field was built (Django's login form does this) has no
            # validator behind it: add one, so the form refuses what the column cannot hold.
            if not any(isinstance(v, validators.MaxLengthValidator) for v in field.validators):
                field.validators.append(validators.MaxLengthValidator(field.max_length))
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("maxlength", str(field.max_length))
            if not password:  # a password is taken as typed
                # Wrapping this one field instance's parser (not its class) on purpose.
                field.to_python = _cleaning(  # type: ignore[method-assign]
                    field.to_python, clean_prose if prose else clean_line
                )
        elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.FloatField):
            if field.max_value is None:
                field.max_value = INT_MAX
                field.validators.append(validators.MaxValueValidator(INT_MAX))
            if field.min_value is None:
                field.min_value = INT_MIN
                field.validators.append(validators.MinValueValidator(INT_MIN))
        elif isinstance(field, forms.DateField) and validate_sane_date not in field.validators:
            field.validators.append(validate_sane_date)


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_fields(self)
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


FILE_HELP = gettext_lazy(
    "PDF、OFD、DOCX 或 PNG/JPEG/GIF 图片，大小不超过系统设定的上限"
    "（默认 20 MB）；系统按文件内容判断类型，与扩展名无关。"
)


RESELECT = gettext_lazy("出于安全原因，浏览器不会保留已选的文件，请重新选择。")
# The same, naming the file the person had chosen, so they know which one to pick again.
RESELECT_NAMED = gettext_lazy(
    "出于安全原因，浏览器不会保留已选的文件，请重新选择文件（刚才选择的是：%(name)s）。"
)


class UploadInput(forms.FileInput):
    """Every file input of the project: it says under itself whether uploads are scanned for
    viruses (issue 12), whichever template draws the field."""

    def __init__(self, attrs=None, *, accept: str = ACCEPT):
        super().__init__({"accept": accept, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '{}<div class="form-text small" data-testid="scan-note">{}</div>',
            super().render(name, value, attrs, renderer),
            scanning_note(),
        )


class CheckedFileField(forms.FileField):
    """A file checked by content (magic bytes, zip structure, size) when the form is cleaned, so a
    refused file stops the request before any service changes anything (issue 3 "Documents").
    The storing service checks it again."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", FILE_HELP)
        kwargs.setdefault("widget", UploadInput())
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
    chosen = form.files.get(form.add_prefix(name)) if name else None
    if name and form.errors and name not in form.errors and chosen:
        form.add_error(name, RESELECT_NAMED % {"name": chosen.name})
