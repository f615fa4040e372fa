"""`{% load qg_labels %}` then `{{ obj|label:"field" }}`: a choice field's label without
rebuilding the choices for every row (qingdao_groups.core.labels)."""

from django import template

from qingdao_groups.core.labels import choice_label

register = template.Library()


@register.filter
def label(obj, field_name: str) -> str:
    return choice_label(obj, field_name) if obj is not None else ""
