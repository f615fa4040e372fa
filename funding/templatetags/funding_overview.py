"""Template filters of the funding overview pages: amounts in yuan as the ledgers write them."""

from decimal import Decimal

from django import template

from funding.rules import money_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount to the fen with thousands separators (12,345.60); "0.00" for none."""
    if value in (None, ""):
        value = Decimal("0")
    return money_text(Decimal(value))
