from django import template

from groups.applications.selectors import waiting_on as _waiting_on
from qingdao_groups.core.clauses import CLAUSE_TEXT

register = template.Library()


@register.filter
def waiting_on(application) -> str:
    return _waiting_on(application)


@register.filter
def clause_text(clause: str) -> str:
    return str(CLAUSE_TEXT.get(clause, ""))
