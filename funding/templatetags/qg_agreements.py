"""Money on the agreement pages: yuan with two places and thousands separated, the same in
both languages (funding.rules.money_text)."""

from django import template

from funding.rules import money_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    """9000 → "9,000.00"; nothing → "—"."""
    if value is None or value == "":
        return "—"
    return money_text(value)
