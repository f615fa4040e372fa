"""`{% load qg_texts %}`: texts the system stored, shown in the reader's language
(`{{ row.history_change_reason|stored }}`, qingdao_groups/core/messages.py), and policy citations
that read like the policy (`{{ "T-2"|citation }}`: 《意见》三、（二） with the clause ID as a
small tag; qingdao_groups/core/clauses.py)."""

from django import template
from django.utils.html import format_html

from qingdao_groups.core.clauses import CLAUSE_TEXT
from qingdao_groups.core.clauses import citation as _citation
from qingdao_groups.core.messages import render

register = template.Library()


@register.filter
def stored(value) -> str:
    """A stored text: a message code rendered in the active language, typed text as typed."""
    return render(value) if value else ""


@register.filter
def citation(clause: str) -> str:
    """《意见》part and article, then the clause ID as a small tag; the clause's short text as the
    tooltip. A clause the mapping does not know shows its ID alone."""
    if not clause:
        return ""
    place = _citation(clause)
    title = str(CLAUSE_TEXT.get(clause, ""))
    if not place:
        return format_html('<span class="clause-tag" title="{}">{}</span>', title, clause)
    return format_html(
        '<span class="citation" title="{}">{}</span> <span class="clause-tag">{}</span>',
        title,
        place,
        clause,
    )
