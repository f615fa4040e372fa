"""`{% load qg_labels %}` then `{{ obj|label:"field" }}`: a choice field's label without
rebuilding the choices for every row, and `{{ obj.pk|row_url:"app:name" }}`: a row's link without
reversing the pattern for every row (qingdao_groups.core.labels)."""

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
