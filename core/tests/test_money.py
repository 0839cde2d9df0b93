"""Reading an amount as typed, and showing one."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template

from core.forms import MoneyField
from core.money import MoneyError, format_money, parse_money


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1450", "1450.00"),
        ("1450.5", "1450.50"),
        ("1,450.00", "1450.00"),
        ("$1,450.00", "1450.00"),
        ("  $250 ", "250.00"),
        ("1,234,567.89", "1234567.89"),
        ("0.01", "0.01"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("-25.00", "-25.00"),
        ("999", "999.00"),
        (Decimal("12.5"), "12.50"),
        (12, "12.00"),
    ],
)
def test_an_amount_is_read_to_the_cent(typed, amount):
    result = parse_money(typed)
    assert result == Decimal(amount) and str(result) == amount


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7,5", "Enter an amount like 1,450.00."),
        ("1,45,0", "Enter an amount like 1,450.00."),
        ("1,4500", "Enter an amount like 1,450.00."),
        (",450", "Enter an amount like 1,450.00."),
        ("1e-2", "Enter an amount like 1,450.00."),
        ("1E3", "Enter an amount like 1,450.00."),
        ("NaN", "Enter an amount like 1,450.00."),
        ("Infinity", "Enter an amount like 1,450.00."),
        ("-Infinity", "Enter an amount like 1,450.00."),
        ("", "Enter an amount like 1,450.00."),
        ("  ", "Enter an amount like 1,450.00."),
        ("ten dollars", "Enter an amount like 1,450.00."),
        ("12.", "Enter an amount like 1,450.00."),
        ("1 450", "Enter an amount like 1,450.00."),
        ("$$5", "Enter an amount like 1,450.00."),
        ("+5", "Enter an amount like 1,450.00."),
        ("١٢٣", "Enter an amount like 1,450.00."),
        ("1.234", "at most two decimal places"),
        ("10.005", "at most two decimal places"),
        (Decimal("1.234"), "at most two decimal places"),
        (Decimal("NaN"), "Enter an amount like 1,450.00."),
        ("10000000000", "too large"),
    ],
)
def test_anything_else_is_refused_with_a_plain_message(typed, message):
    with pytest.raises(MoneyError) as raised:
        parse_money(typed)
    assert message in raised.value.message


def test_a_float_is_never_money():
    with pytest.raises(TypeError):
        parse_money(0.1)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1450"), "$1,450.00"),
        (Decimal("1450.5"), "$1,450.50"),
        (Decimal("0"), "$0.00"),
        (Decimal("-1450"), "-$1,450.00"),
        (Decimal("1234567.89"), "$1,234,567.89"),
        (7, "$7.00"),
    ],
)
def test_an_amount_is_shown_one_way(amount, shown):
    assert format_money(amount) == shown
    assert Template("{% load money %}{{ amount|money }}").render(Context({"amount": amount})) == shown


def test_the_filter_shows_nothing_for_no_amount():
    assert Template("{% load money %}[{{ amount|money }}]").render(Context({"amount": None})) == "[]"


class _Form(forms.Form):
    anything = MoneyField(min_value=None, required=False)
    not_negative = MoneyField(required=False)
    positive = MoneyField(min_value=Decimal("0.01"), required=False)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("not_negative", "-1.00", "The amount cannot be negative."),
        ("positive", "0", "The amount must be more than zero."),
        ("positive", "7,5", "Enter an amount like 1,450.00."),
    ],
)
def test_the_field_says_what_is_wrong(field, typed, message):
    form = _Form({field: typed})
    assert form.errors == {field: [message]}


def test_the_field_lets_a_negative_through_when_its_floor_allows():
    form = _Form({"anything": "-12.50", "not_negative": "0", "positive": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"anything": Decimal("-12.50"), "not_negative": Decimal("0.00"), "positive": None}
