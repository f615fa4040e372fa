"""`{% load qg_labels %}` then `{{ obj|label:"field" }}`: a choice field's label without
rebuilding the choices for every row, and `{{ obj.pk|row_url:"app:name" }}`: a row's link without
reversing the pattern for every row (qingdao_groups.core.labels); `{{ day|ymd }}` and
`{{ moment|ymd_hm }}`: what `|date:"Y-m-d"` and `|date:"Y-m-d H:i"` print, without the date
filter's per-call format and locale look-ups (about 20 µs each; a group page prints hundreds
of dates, issue 7)."""

from django import template

from qingdao_groups.core.labels import choice_label
from qingdao_groups.core.labels import row_url as _row_url

register = template.Library()


@register.filter
def label(obj, field_name: str) -> str:
    return choice_label(obj, field_name) if obj is not None else ""


@register.filter
def row_url(pk, name: str) -> str:
    return _row_url(name, pk)


@register.filter(expects_localtime=True)
def ymd(value) -> str:
    """A date (or a datetime, in the current time zone) as 2024-09-01; "" for none."""
    try:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    except AttributeError:  # None, "" or anything not a date: as the date filter does
        return ""


@register.filter(expects_localtime=True)
def ymd_hm(value) -> str:
    """A datetime in the current time zone as 2024-09-01 08:30; "" for none."""
    try:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
    except AttributeError:
        return ""
