"""Reads of a case's notes: who may read a note's content, the list, and search.

Every function takes a case that `casework.selectors.cases.case_get` has already handed
the user, so the case itself is in scope. On top of that, a confidential note's content
(subject, who was present, body, and its addenda) is read only by the people
`note_readable_q` names. Others see that the note exists: its date, kind and author.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models import Case as CaseWhen
from django.shortcuts import get_object_or_404

from accounts.access import NOTHING, signed_in
from casework.models import Case, CaseNote, NoteAddendum

# What a note shows to anyone who may see the case; the rest is its content.
NOTE_FRAME = ["id", "case_id", "kind", "contact_at", "confidential", "author", "created_at"]
NOTE_CONTENT = ["subject", "present", "body"]


def note_readable_q(user, *, prefix: str = "") -> Q:
    """A filter on CaseNote (or, with `prefix`, on a model related to it): the notes whose content `user` reads.

    The one place the confidential-note rule is decided. A note that is not confidential is
    read by whoever sees its case; a confidential one only by its author, the case's assigned
    worker and the supervisor of that worker's team. Its addenda follow the note.
    """
    if not signed_in(user):
        return NOTHING

    def f(**lookups) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    return (
        f(confidential=False)
        | f(author_id=user.pk)
        | f(case__assigned_worker_id=user.pk)
        | f(case__assigned_worker__team__supervisor_id=user.pk)
    )


def _readable(user) -> CaseWhen:
    return CaseWhen(When(note_readable_q(user), then=Value(True)), default=Value(False), output_field=BooleanField())


def _content(user, field: str) -> CaseWhen:
    # The database hands back an empty string for content the user may not read, so it never reaches the page.
    return CaseWhen(When(note_readable_q(user), then=F(field)), default=Value(""), output_field=TextField())


@dataclass(frozen=True)
class AddendumRow:
    pk: int
    body: str
    author: object
    created_at: datetime


@dataclass(frozen=True)
class NoteRow:
    """One note as the user may see it: content and addenda are empty where they may not read them."""

    pk: int
    kind: str
    kind_label: str
    contact_at: datetime
    author: object
    created_at: datetime
    confidential: bool
    readable: bool
    subject: str
    present: str
    body: str
    addenda: tuple[AddendumRow, ...]
    rank: float | None = None


def notes_visible(*, user, case: Case) -> QuerySet[CaseNote]:
    """The case's notes, each with `readable` and its content (`shown_*`) blanked where it is not.

    The content columns themselves are deferred; read them through `note_rows`, never from the instances.
    """
    addenda = (
        NoteAddendum.objects.filter(note_readable_q(user, prefix="note__"))
        .select_related("author")
        .order_by("created_at", "id")
    )
    return (
        CaseNote.objects.filter(case_id=case.pk)
        .only(*NOTE_FRAME)
        .select_related("author")
        .annotate(readable=_readable(user), **{f"shown_{field}": _content(user, field) for field in NOTE_CONTENT})
        .prefetch_related(Prefetch("addenda", queryset=addenda, to_attr="readable_addenda"))
    )


def note_list(*, user, case: Case, query: str = "") -> QuerySet[CaseNote]:
    """The notes of a case, newest contact first; with `query`, only the readable notes that match, best first.

    Search looks at the subject, who was present, the body and the addenda. On PostgreSQL it
    is full-text search (English stemming, ranked; websearch syntax: "quoted phrase", or, -word);
    elsewhere every word must appear somewhere, ignoring case. A confidential note the user
    may not read is left out before matching, so a search never tells them what it says.
    """
    notes = notes_visible(user=user, case=case)
    query = query.strip()
    if not query:
        return notes.order_by("-contact_at", "-id")
    notes = notes.filter(note_readable_q(user))
    if connection.vendor == "postgresql":
        return _search_fulltext(notes, query)
    return _search_contains(notes, query)


def _addenda_text():
    from django.contrib.postgres.aggregates import StringAgg

    return Subquery(
        NoteAddendum.objects.filter(note_id=OuterRef("pk"))
        .values("note_id")
        .annotate(text=StringAgg("body", delimiter="\n"))
        .values("text")
    )


def _search_fulltext(notes: QuerySet[CaseNote], query: str) -> QuerySet[CaseNote]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    # No stored vector or GIN index: a case holds at most a few hundred notes, searched one case at a time.
    vector = (
        SearchVector("subject", weight="A", config="english")
        + SearchVector("body", weight="B", config="english")
        + SearchVector(_addenda_text(), weight="B", config="english")
        + SearchVector("present", weight="C", config="english")
    )
    search = SearchQuery(query, search_type="websearch", config="english")
    return (
        notes.annotate(search=vector, rank=SearchRank(vector, search))
        .filter(search=search)
        .order_by("-rank", "-contact_at", "-id")
    )


def _search_contains(notes: QuerySet[CaseNote], query: str) -> QuerySet[CaseNote]:
    for word in query.split():
        in_addenda = Exists(NoteAddendum.objects.filter(note_id=OuterRef("pk"), body__icontains=word))
        notes = notes.filter(
            Q(subject__icontains=word) | Q(present__icontains=word) | Q(body__icontains=word) | Q(in_addenda)
        )
    return notes.order_by("-contact_at", "-id")


def note_rows(notes) -> list[NoteRow]:
    """Shape notes from `notes_visible` / `note_list` for a page."""
    return [
        NoteRow(
            pk=note.pk,
            kind=note.kind,
            kind_label=note.get_kind_display(),
            contact_at=note.contact_at,
            author=note.author,
            created_at=note.created_at,
            confidential=note.confidential,
            readable=note.readable,
            subject=note.shown_subject,
            present=note.shown_present,
            body=note.shown_body,
            addenda=tuple(
                AddendumRow(pk=a.pk, body=a.body, author=a.author, created_at=a.created_at)
                for a in note.readable_addenda
            )
            if note.readable
            else (),
            rank=getattr(note, "rank", None),
        )
        for note in notes
    ]


def note_get(*, user, case: Case, pk: int) -> CaseNote:
    """One note of the case whose content `user` may read, else 404 (shape it with `note_rows`)."""
    return get_object_or_404(notes_visible(user=user, case=case).filter(note_readable_q(user)), pk=pk)


def note_is_readable(*, user, note: CaseNote) -> bool:
    """Whether `user` may read `note`'s content (and so add to it): the rule of `note_readable_q`."""
    return CaseNote.objects.filter(note_readable_q(user), pk=note.pk).exists()
