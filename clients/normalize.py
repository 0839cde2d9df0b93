"""Plain text normalisation for search and matching. No Django here."""

import re
import unicodedata

from anyascii import anyascii

_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
# One Chinese character or Hangul block is one syllable, often a whole family name: each
# becomes a word of its own, so '王' finds '王小明' as 'wang' finds 'wang xiao ming'.
_SYLLABLE_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HANGUL SYLLABLE")


def _ascii(char: str) -> str:
    category = unicodedata.category(char)
    if category[0] not in "LMN":
        # Symbols, emoji and punctuation are not part of a name ('😀' is not 'grinning').
        return " "
    if unicodedata.name(char, "").startswith(_SYLLABLE_SCRIPTS):
        return f" {anyascii(char)} "
    return anyascii(char)


def fold(text: str) -> str:
    """A name in any script as lower-case ASCII words: letters transliterated, accents
    removed, anything else a space ('José O'Neil' -> 'jose o neil', 'Иван' -> 'ivan',
    '王小明' -> 'wang xiao ming', '😀' -> '')."""
    ascii_text = "".join(_ascii(char) for char in unicodedata.normalize("NFC", text or "")).lower()
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", ascii_text)).strip()


def search_key(*parts: str) -> str:
    """The words of a name, folded, each once, in their order."""
    seen: list[str] = []
    for word in fold(" ".join(p for p in parts if p)).split():
        if word not in seen:
            seen.append(word)
    return " ".join(seen)


def digits_only(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())
