"""What other apps say about a client wherever their drug card shows (a restricted coverage, say).

Imports point down (coverage -> assistance), so the drug card's pages cannot ask coverage for its
rows. Instead an app above registers a notes function at start-up, in its `AppConfig.ready()`:
it takes client ids and a day and returns `{client_id: [line, ...]}` for those with something to
say, in a fixed number of queries whatever the number of clients.
"""

from collections.abc import Callable, Iterable
from datetime import date

DrugCardNotes = Callable[[list[int], date], dict[int, list[str]]]

_notes: list[DrugCardNotes] = []


def drug_card_notes_register(notes: DrugCardNotes) -> DrugCardNotes:
    """Add a notes function (once: a second registration of the same function is ignored)."""
    name = (notes.__module__, notes.__qualname__)
    if all((n.__module__, n.__qualname__) != name for n in _notes):
        _notes.append(notes)
    return notes


def drug_card_notes(client_ids: Iterable[int], on: date) -> dict[int, list[str]]:
    """Every registered app's lines for each of `client_ids` on `on`."""
    ids = sorted(set(client_ids))
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for notes in _notes:
        for client_id, lines in notes(ids, on).items():
            found.setdefault(client_id, []).extend(lines)
    return found
