"""Cards that apps above casework add to the home page.

Imports point down (assistance -> eligibility -> casework), so the home page cannot ask those
apps for their figures. Instead each registers a card function at start-up, in its
`AppConfig.ready()`, and the home page calls every one. A card function takes the signed-in
user and returns a dict with the card's `template` and whatever that template reads, or None
when it has nothing for this user; an `order` (lower first) places it among the others. It must
cost a fixed number of queries. A card that names clients lists them in `client_ids`, so the
page's read event names them too.
"""

from collections.abc import Callable
from typing import Any

HomeCard = Callable[[Any], dict | None]

_cards: list[HomeCard] = []


def home_card_register(card: HomeCard) -> HomeCard:
    """Add a card function (once: a second registration of the same function is ignored)."""
    name = (card.__module__, card.__qualname__)
    if all((c.__module__, c.__qualname__) != name for c in _cards):
        _cards.append(card)
    return card


def home_cards(user) -> list[dict]:
    """The cards for `user`, by their `order`, then in the order they were registered."""
    cards = [card for card in (fn(user) for fn in _cards) if card]
    return sorted(cards, key=lambda card: card.get("order", 100))
