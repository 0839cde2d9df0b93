"""A figure's words, written in the reader's language from its numbers.

A `Figure` is made of words (a title, column headings, row labels, a summary) and numbers. The
words are written when the figure is shown, in the language active then; the monthly report keeps
only the numbers and the keys of what they count (`Figure.data`), so a report made in English reads
in Spanish to a Spanish reader, with the same figures. `RENDERERS` holds the figures a stored
report may name, each a function of its data alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from assistance.models import Issuance
from core.money import format_money

ZERO = Decimal("0.00")


@dataclass
class Figure:
    """One section of a dashboard: a table (the record), a text summary, and a chart of one column."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    summary: str = ""
    chart: list[tuple[str, Decimal | int]] = field(default_factory=list)
    #: Rows listed under the table (late applications, say), each with the case for its drill link.
    listed: list[dict] = field(default_factory=list)
    drill: str = ""  # the drill-down's name in `drill_rows`, when its numbers lead to rows
    #: The numbers the words were written from, without words: what a stored report keeps.
    data: dict = field(default_factory=dict)


# SNAP timeliness ------------------------------------------------------------------------------------

#: The outcomes of a SNAP application, in the order the table lists them.
TIMELINESS_OUTCOMES = {
    "in_time": gettext_lazy("In time"),
    "late": gettext_lazy("Late"),
    "waiting": gettext_lazy("Waiting, not yet late"),
    "overdue": gettext_lazy("Waiting, past the deadline"),
}

#: A listed application's state: (late, expedited) -> words.
TIMELINESS_STATES = {
    (True, False): pgettext_lazy("SNAP application", "late"),
    (False, False): pgettext_lazy("SNAP application", "nearly late"),
    (True, True): pgettext_lazy("SNAP application", "late (expedited)"),
    (False, True): pgettext_lazy("SNAP application", "nearly late (expedited)"),
}


def timeliness_render(data: dict) -> Figure:
    """SNAP timeliness from `{"counts": {outcome: n}, "late": n, "nearly_late": n, "expedited": n}`."""
    counts = {key: int(data["counts"].get(key, 0)) for key in TIMELINESS_OUTCOMES}
    figure = Figure(
        "timeliness",
        _("SNAP applications decided in time (30 days, 7 CFR 273.2(g); 7 days if expedited, 273.2(i))"),
        [_("Outcome"), _("Applications")],
        drill="timeliness",
        data=data,
    )
    figure.rows = [[str(TIMELINESS_OUTCOMES[key]), n] for key, n in counts.items()]
    figure.chart = [(str(TIMELINESS_OUTCOMES[key]), n) for key, n in counts.items()]
    total = sum(counts.values())
    decided = counts["in_time"] + counts["late"]
    values = {
        "count": total,
        "late": data["late"],
        "nearly_late": data["nearly_late"],
        "expedited": data["expedited"],
    }
    if decided:
        values["share"] = f"{100 * counts['in_time'] / decided:.1f}"
        figure.summary = (
            ngettext(
                "%(count)s SNAP application made in the range; decided in time: %(share)s%%; %(late)s late, "
                "%(nearly_late)s nearly late; %(expedited)s screened for expedited service (7 days).",
                "%(count)s SNAP applications made in the range; decided in time: %(share)s%%; %(late)s late, "
                "%(nearly_late)s nearly late; %(expedited)s screened for expedited service (7 days).",
                total,
            )
            % values
        )
    else:
        figure.summary = (
            ngettext(
                "%(count)s SNAP application made in the range; decided in time: no decision yet; %(late)s late, "
                "%(nearly_late)s nearly late; %(expedited)s screened for expedited service (7 days).",
                "%(count)s SNAP applications made in the range; decided in time: no decision yet; %(late)s late, "
                "%(nearly_late)s nearly late; %(expedited)s screened for expedited service (7 days).",
                total,
            )
            % values
        )
    return figure


# The monthly report's own figures ------------------------------------------------------------------


def cases_render(data: dict) -> Figure:
    """Cases opened and closed in the month, from `{"opened": n, "closed": n}`."""
    figure = Figure("cases", _("Cases opened and closed"), [_("Figure"), _("Cases")], data=data)
    figure.rows = [[pgettext("cases", "Opened"), data["opened"]], [pgettext("cases", "Closed"), data["closed"]]]
    figure.summary = ngettext(
        "%(opened)s case opened and %(closed)s closed.",
        "%(opened)s cases opened and %(closed)s closed.",
        data["opened"],
    ) % {"opened": data["opened"], "closed": data["closed"]}
    return figure


def served_render(data: dict) -> Figure:
    """Clients paid in the month per program, from `{"programs": [[program name, clients], ...]}`.

    A program's name is the agency's own, kept as it is written in the program's record."""
    figure = Figure(
        "served", _("Clients served by program (paid in the month)"), [_("Program"), _("Clients")], data=data
    )
    figure.rows = [[name, clients] for name, clients in data["programs"]]
    clients = sum(r[1] for r in figure.rows)
    figure.summary = ngettext(
        "%(count)s client paid across %(programs)s.",
        "%(count)s clients paid across %(programs)s.",
        clients,
    ) % {
        "count": clients,
        # Translators: the number of programs in "N clients paid across N programs."
        "programs": ngettext("%(count)s program", "%(count)s programs", len(figure.rows)) % {"count": len(figure.rows)},
    }
    return figure


def assistance_by_kind_render(data: dict) -> Figure:
    """What was issued in the month per kind, from `{"kinds": [[Issuance.Kind value, "amount"], ...]}`."""
    kinds = dict(Issuance.Kind.choices)
    figure = Figure("assistance", _("Assistance by kind"), [_("Kind"), _("Amount")], data=data)
    amounts = [(str(kinds.get(kind, kind)), Decimal(amount)) for kind, amount in data["kinds"]]
    figure.rows = [[kind, format_money(amount)] for kind, amount in amounts]
    figure.summary = _("%(amount)s issued.") % {"amount": format_money(sum((a for _k, a in amounts), ZERO))}
    return figure


#: The figures a stored monthly report may hold, by key: each writes its words from its data.
RENDERERS: dict[str, Callable[[dict], Figure]] = {
    "cases": cases_render,
    "served": served_render,
    "assistance": assistance_by_kind_render,
    "timeliness": timeliness_render,
}


def figure_stored(figure: Figure) -> dict:
    """What a monthly report keeps of a figure: its key and its numbers, no words."""
    return {"key": figure.key, "data": figure.data}


def kept_as_numbers(entry: dict) -> bool:
    """Whether a stored figure is kept as numbers (and so reads in any language)."""
    return entry.get("key") in RENDERERS and "data" in entry


def figures_from_stored(stored: list[dict]) -> list[Figure]:
    """A stored report's figures in the active language.

    A figure kept as words (a report made before its figures were kept as numbers) is shown as it was
    written, in the language it was made in."""
    figures = []
    for entry in stored:
        if kept_as_numbers(entry):
            figures.append(RENDERERS[entry["key"]](entry["data"]))
        else:
            figures.append(
                Figure(
                    entry.get("key", ""),
                    entry.get("title", ""),
                    list(entry.get("columns", [])),
                    rows=list(entry.get("rows", [])),
                    summary=entry.get("summary", ""),
                )
            )
    return figures
