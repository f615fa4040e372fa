"""Choice labels and row links computed once per page, not rebuilt for every row.

`obj.get_<field>_display()` rebuilds a dict of the field's choices on each call, hashing every
lazy label (one gettext call each): a page of a hundred rows with five choice columns made
thousands of translation look-ups. `choice_label(obj, field)` reads the same label from a table
built once per model, field and language."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=512)
def _labels(model: Any, field_name: str, language: str | None) -> dict:
    field = model._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


def choice_labels(model: type, field_name: str) -> dict:
    """{stored value: label in the active language} for a field with choices."""
    return _labels(model, field_name, get_language())


def choice_label(obj, field_name: str) -> str:
    """What obj.get_<field>_display() returns, from the per-language table."""
    value = getattr(obj, field_name)
    return choice_labels(type(obj), field_name).get(value, value)


_MARKER = 987654321


def url_maker(name: str, *leading) -> Callable[[object], str]:
    """`url_maker("cards:issue")(pk)` equals `reverse("cards:issue", args=[pk])`, the pattern
    reversed once per page instead of once per row (the last argument is an integer id)."""
    head, tail = reverse(name, args=[*leading, _MARKER]).rsplit(str(_MARKER), 1)
    return lambda pk: f"{head}{pk}{tail}"


@lru_cache(maxsize=256)
def _url_parts(name: str, prefix: str, language: str | None) -> tuple[str, str]:
    head, tail = reverse(name, args=[_MARKER]).rsplit(str(_MARKER), 1)
    return head, tail


def row_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])` for a pattern whose one argument is an integer id, from a
    pattern reversed once per process, script prefix and language (the `row_url` template
    filter: a list's row links)."""
    head, tail = _url_parts(name, get_script_prefix(), get_language())
    return f"{head}{pk}{tail}"
