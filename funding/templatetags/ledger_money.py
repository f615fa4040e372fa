"""`{% load ledger_money %}`: `{{ amount|yuan }}` prints yuan as the ledgers write them — two
places, half-up, thousands grouped (60,000.00) — in every language (funding.rules.money_text)."""

from decimal import Decimal, InvalidOperation

from django import template

from funding.rules import money_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return money_text(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
