"""Money as people type it and as pages show it: one reader, one writer.

Pure Python on purpose: the eligibility rules, which must stay free of Django, use `format_money`.
"""

from __future__ import annotations

import re
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Every amount column is DecimalField(max_digits=12, decimal_places=2).
LIMIT = Decimal("10000000000")

EXAMPLE = "Enter an amount like 1,450.00."
TOO_PRECISE = "Enter at most two decimal places (dollars and cents), like 1,450.00."
TOO_LARGE = "That amount is too large."

# Digits, either plain or grouped by threes with commas, then up to two decimals. Nothing else:
# not "7,5" (a decimal comma), "1e-2" (an exponent), "NaN" or "Infinity".
_AMOUNT = re.compile(r"(?P<sign>[-\u2212]?)\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d+))?", re.ASCII)


class MoneyError(ValueError):
    """Text that is not an amount of money; the message says so in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_money(value: str | Decimal | int) -> Decimal:
    """The amount typed in `value`, to the cent; MoneyError when it is not one.

    Accepts `1450`, `1450.5`, `1,450.00`, `$1,450.00`, `-25.00` and surrounding spaces. Whether a
    negative or a zero is allowed is the caller's to decide.
    """
    if isinstance(value, bool | float):
        raise TypeError("Money is never a float.")
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
        if not amount.is_finite():
            raise MoneyError(EXAMPLE)
        if abs(amount) < LIMIT and amount != amount.quantize(CENT):
            raise MoneyError(TOO_PRECISE)
        return _bounded(amount)
    match = _AMOUNT.fullmatch((value or "").strip())
    if match is None:
        raise MoneyError(EXAMPLE)
    cents = match["cents"]
    if cents is not None and len(cents) > 2:
        raise MoneyError(TOO_PRECISE)
    amount = Decimal(match["whole"].replace(",", "") + "." + (cents or "0"))
    if match["sign"]:
        amount = -amount
    return _bounded(amount)


def _bounded(amount: Decimal) -> Decimal:
    if abs(amount) >= LIMIT:
        raise MoneyError(TOO_LARGE)
    # A zero is a zero: "-0" and "0.00" both read 0.00, never -0.00.
    return amount.quantize(CENT) if amount else Decimal("0.00")


#: How each letter language writes an amount (CLDR number symbols and currency patterns for en,
#: es and fr: https://cldr.unicode.org/): (thousands separator, decimal mark, symbol after).
_STYLES = {"en": (",", ".", False), "es": (".", ",", True), "fr": ("\u202f", ",", True)}


def format_money(amount: Decimal | int | None, *, language: str = "en") -> str:
    """`$1,450.00`; a negative amount `-$1,450.00`; always two decimals; None shows as an empty string.

    For a letter in Spanish `1.450,00 $`, in French `1 450,00 $` (a narrow space between thousands).
    """
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise TypeError("Money is never a float.")
    amount = Decimal(amount).quantize(CENT)
    group, mark, after = _STYLES.get(language[:2], _STYLES["en"])
    digits = f"{abs(amount):,.2f}".replace(",", "\0").replace(".", mark).replace("\0", group)
    text = f"{digits}\u00a0$" if after else f"${digits}"
    return f"-{text}" if amount < 0 else text
