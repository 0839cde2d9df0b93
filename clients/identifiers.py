"""National identifiers: validation, encryption at rest, keyed hashing for exact matches.

SSN rules from the Social Security Administration's description of the number
(https://www.ssa.gov/employer/randomization.html): nine digits; the area (first
three) is never 000, 666 or 900-999; the group (middle two) is never 00; the
serial (last four) is never 0000.
SIN rules from the Government of Canada (https://www.canada.ca/en/employment-social-development/
services/sin.html): nine digits that pass the Luhn check; none begin with 0 or 8.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from clients.normalize import digits_only


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        n = int(ch)
        if position % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def identifier_normalize(kind: str, raw: str) -> str:
    """The nine digits of a valid identifier, or ValidationError saying what is wrong."""
    digits = digits_only(raw)
    label = "Social Security number" if kind == "ssn" else "Social Insurance number"
    if len(digits) != 9 or len(digits) != len(raw.replace("-", "").replace(" ", "")):
        raise ValidationError(_("A %(label)s has nine digits.") % {"label": label})
    if kind == "ssn":
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
            raise ValidationError(_("%(raw)s is not a valid %(label)s.") % {"raw": raw, "label": label})
    elif kind == "sin":
        if digits[0] in "08" or not _luhn_ok(digits):
            raise ValidationError(_("%(raw)s is not a valid %(label)s.") % {"raw": raw, "label": label})
    else:
        raise ValidationError(_("Choose whether this is a US SSN or a Canadian SIN."))
    return digits


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("CASEWORK_FIELD_ENCRYPTION_KEYS is not set.")
    return MultiFernet([Fernet(key) for key in keys])


def identifier_encrypt(digits: str) -> str:
    return _fernet().encrypt(digits.encode()).decode()


def identifier_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def identifier_hash(kind: str, digits: str) -> str:
    key = settings.IDENTIFIER_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CASEWORK_IDENTIFIER_HASH_KEY is not set.")
    return hmac.new(key.encode(), f"{kind}:{digits}".encode(), hashlib.sha256).hexdigest()


def identifier_format(kind: str, digits: str) -> str:
    if kind == "sin":
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def identifier_hash_if_valid(kind: str, raw: str) -> str | None:
    """The keyed hash of a typed identifier, or None if it is blank or not valid (for duplicate checks)."""
    if not (kind and raw):
        return None
    try:
        return identifier_hash(kind, identifier_normalize(kind, raw))
    except ValidationError:
        return None
