"""`{% load qg_reminders %}{% reminder_panel obj %}` on an item's page: its reminders (催办)
log, newest first, and for staff a button to remind whoever the item waits for
(qingdao_groups.core.reminders). One query for the log."""

from django import template

from qingdao_groups.core.reminders import (
    can_send_reminder,
    reminders_for,
    source_for_model,
    target_key,
)

register = template.Library()


@register.inclusion_tag("includes/reminders.html", takes_context=True)
def reminder_panel(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    source = source_for_model(type(obj))
    may_remind = bool(
        source is not None
        and user is not None
        and can_send_reminder(user).allowed
        and source.is_open(obj)
    )
    return {
        "reminders": reminders_for(obj) if source is not None else [],
        "target": target_key(obj),
        "may_remind": may_remind,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
