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


def one_typo_keys(word: str) -> list[str]:
    """The word and every string made by deleting one of its letters. Two words one typo apart
    (a letter changed, added, dropped, or two neighbours swapped) share one of these keys
    (Wolf Garbe's symmetric delete: https://github.com/wolfgarbe/SymSpell). The SQL function
    client_name_deletions (migration clients 0009) gives the same keys of each word of a name."""
    return sorted({word} | {word[:at] + word[at + 1 :] for at in range(len(word))} - {""})


def one_swap(word: str) -> list[str]:
    """Every other word made by swapping two neighbouring letters of `word`."""
    return sorted({word[:at] + word[at + 1] + word[at] + word[at + 2 :] for at in range(len(word) - 1)} - {word})


def digits_only(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())
