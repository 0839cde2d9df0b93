from decimal import Decimal

from django import template

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount) -> str:
    """`{{ amount|money }}`: $1,450.00, the one way the site shows an amount."""
    if amount in (None, ""):
        return ""
    if isinstance(amount, float):  # an aggregate on SQLite; shown, never computed with
        amount = Decimal(str(amount))
    return format_money(amount)
