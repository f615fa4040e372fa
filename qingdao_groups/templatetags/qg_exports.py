"""`{% export_buttons "groups" %}`: the 导出 Excel / 导出 CSV buttons of a list page, carrying the
page's current filters (and, for an export as of a day, a date field). A page whose subject is in
its path rather than its query string names it: `{% export_buttons "ledger-lines" ledger=ledger.pk %}`."""

from django import template
from django.utils import timezone

from qingdao_groups.core.exports import NOT_FILTERS, get_export

register = template.Library()


@register.inclusion_tag("exports/_export_buttons.html", takes_context=True)
def export_buttons(context, key: str, **fixed) -> dict:
    export = get_export(key)
    query = context["request"].GET
    hidden = [
        (name, value)
        for name in query
        if name not in NOT_FILTERS and name not in fixed and not (export.as_of and name == "on")
        for value in query.getlist(name)
    ]
    hidden += [(name, value) for name, value in fixed.items() if value not in (None, "")]
    return {
        "export": export,
        "hidden": hidden,
        "on": query.get("on") or timezone.localdate().isoformat(),
    }
