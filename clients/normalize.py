"""Plain text normalisation for search and matching. No Django here."""

import re
import unicodedata

_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: 'José O'Neil' -> 'jose o neil'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
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
