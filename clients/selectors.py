"""Reads of the client registry, always through the access rule in `accounts.access`."""

import difflib
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Prefetch, Q, QuerySet, Subquery, TextField, Value
from django.shortcuts import get_object_or_404

from accounts.access import client_scope, own_client_scope
from clients.models import Asset, Client, Consent, Document, Expense, HouseholdMembership, Income, PersonFact
from clients.normalize import digits_only, one_swap, one_typo_keys, search_key

SEARCH_LIMIT = 50
# On PostgreSQL a name is found in up to three passes, each only when the one before found fewer
# than the limit, all ranked alike (`_NameWordDistance`): every typed word one typo from a word of
# the name, then two typos for the longer words, then the pg_trgm word similarity below (which
# also finds what is typed as the start of a name, "smi" for "smith"). Measured at 1,000,000
# clients by scripts/bench_search.py (200 typo'd "first last" searches, load average ~3.5 on 2
# CPUs): the intended client found in 87.5 % of searches, one of the same name in 90.5 %, p50
# 48 ms, p95 116 ms (CPU p95 53 ms); trigram similarity alone (0.3, then 0.25) found 75.5 % and
# 79 %, p50 46 ms, p95 116 ms (CPU 53 ms) at the same load: a typo in a short word ("uv" for "vu")
# leaves no trigram in common, and at 0.3 a word such as "jones" is like every word starting "jo",
# so 50 loose matches hid the name one typo away. The deletion passes without the trigram one
# found 84 %, p95 ~45 ms: the trigram pass is what costs, and only when too few are found.
WORD_SIMILARITY = 0.3
# Two typos are looked for only in words of this many letters or more: in a shorter word two typos
# leave two letters, which half the names share.
TWO_TYPOS_FROM = 5
# The keys find the words within one typo, and a few more (two words sharing a key made by deleting
# different letters, "mark" and "mrsk" share "mrk"): ranked after those within, they are kept, and
# were 1 % of the intended clients in the benchmark, except for words shorter than this.
CONFIRMED_BELOW = 4
# Edit distances above this rank alike (levenshtein_less_equal stops counting there: cheaper).
MAX_WORD_DISTANCE = 3


def clients_visible(*, user) -> QuerySet[Client]:
    return Client.objects.filter(client_scope(user))


@dataclass(frozen=True)
class ClientPage:
    clients: list[Client]
    after: int | None  # the client this page follows (None: the first page)
    next_after: int | None  # the last client shown, when more follow


def client_page(*, user, after: int | None = None, size: int = 25) -> ClientPage:
    """One page of the clients `user` may see, by name, after the client `after` (keyset paging:
    the index on the name order is read from that client on, not the whole office counted and
    sorted). The anchor must be a client the user may see, so its place tells nothing of others."""
    clients = clients_visible(user=user).select_related("office").order_by("last_name", "first_name", "id")
    if after is not None:
        anchor = clients_visible(user=user).filter(pk=after)
        last = Subquery(anchor.values("last_name")[:1])
        first = Subquery(anchor.values("first_name")[:1])
        clients = clients.filter(
            Q(last_name__gt=last)
            | Q(last_name=last, first_name__gt=first)
            | Q(last_name=last, first_name=first, id__gt=after)
        )
    rows = list(clients[: size + 1])
    return ClientPage(clients=rows[:size], after=after, next_after=rows[size - 1].pk if len(rows) > size else None)


def client_get(*, user, pk: int) -> Client:
    """The client if `user` may see them, else 404 (never 403: a 403 would say they exist)."""
    return get_object_or_404(clients_visible(user=user).select_related("office"), pk=pk)


def client_get_including_merged(*, user, pk: int) -> Client:
    """The client, or a merged one whose survivor `user` may see: a merge moves the case access to the
    survivor, and an old link must still lead there."""
    scope = client_scope(user, include_merged=True) | (
        Q(merged_into__isnull=False) & client_scope(user, prefix="merged_into__")
    )
    return get_object_or_404(Client.objects.filter(scope).select_related("merged_into", "office"), pk=pk)


@dataclass(frozen=True)
class ClientSearch:
    name: str = ""
    date_of_birth: date | None = None
    last4: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.last4 or digits_only(self.phone))


def client_search(*, user, criteria: ClientSearch, limit: int = SEARCH_LIMIT) -> list[Client]:
    """Clients `user` may see that match every criterion given, best name match first.

    A name is compared as `search_key` folds it (any script, transliterated to ASCII, so both
    back-ends compare the same letters) and forgives typos: on PostgreSQL through two GIN indexes
    on `search_name`, of its words' one-deletion keys and of its pg_trgm trigrams, ranked by edit
    distance (`_search_trigram`), elsewhere by comparing the candidates that share a word's first
    or last two letters. A name with no letters matches nobody.
    """
    clients = clients_visible(user=user).select_related("office")
    if criteria.date_of_birth:
        clients = clients.filter(date_of_birth=criteria.date_of_birth)
    if criteria.last4:
        clients = clients.filter(identifier_last4=digits_only(criteria.last4)[-4:])
    phone = digits_only(criteria.phone)
    if phone:
        clients = clients.filter(phone_digits__endswith=phone[-10:])
    key = search_key(criteria.name)
    if not key:
        if criteria.name.strip():
            # Only symbols or emoji: no name is like that, and listing everyone would be noise.
            return []
        return list(clients.order_by("last_name", "first_name", "id")[:limit])
    if connection.vendor == "postgresql":
        return _search_trigram(clients, key, limit)
    return _search_fallback(clients, key, limit)


def _search_trigram(clients: QuerySet[Client], key: str, limit: int) -> list[Client]:
    """Every typed word must be within one typo of a word of the name (the deletion index), else
    within two (longer words), else resemble one (`search_name %> word`, the trigram index); the
    names whose words are fewest edits from the typed ones come first, then the names with fewest
    words besides, then by last name."""
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.search import TrigramSimilarity

    words = key.split()
    name_keys = Func(F("search_name"), function="client_name_deletions", output_field=ArrayField(TextField()))
    nearest = {f"nearest_{at}": _NameWordDistance(F("search_name"), word=word) for at, word in enumerate(words)}
    ranked = (
        clients.alias(name_keys=name_keys, **nearest)
        .annotate(distance=sum((F(alias) for alias in nearest), Value(0)), rank=TrigramSimilarity("search_name", key))
        .order_by("distance", "-rank", "last_name", "id")
    )
    found: list[Client] = []
    for typos in (1, 2) if any(len(word) >= TWO_TYPOS_FROM for word in words) else (1,):
        every_word = Q()
        for word, alias in zip(words, nearest, strict=True):
            keys = _two_typo_keys(word) if typos == 2 else one_typo_keys(word)
            every_word &= Q(name_keys__overlap=keys)
            if len(word) < CONFIRMED_BELOW:
                # A key of one or two letters joins words that are not one typo apart ("li" and
                # "ol" share "l"): the distance must confirm it.
                every_word &= Q(**{f"{alias}__lte": 1})
        found = list(ranked.filter(every_word)[:limit])
        if len(found) >= limit:
            return found
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(WORD_SIMILARITY)])
    # The trigram condition alone, or each row the bitmap brings would also be rechecked against
    # the deletion keys, recomputed row by row: several times slower.
    every_word = Q()
    for word in words:
        every_word &= Q(search_name__trigram_word_similar=word)
    return list(ranked.filter(every_word | Q(pk__in=[client.pk for client in found]))[:limit])


def _two_typo_keys(word: str) -> list[str]:
    """Keys of the name words two typos from `word` (one of them an extra letter in what was typed)."""
    keys = set(one_typo_keys(word))
    if len(word) >= TWO_TYPOS_FROM:
        keys.update(*(one_typo_keys(shorter) for shorter in one_typo_keys(word)))
    return sorted(keys)


class _NameWordDistance(Func):
    """The edit distance from `word` to the nearest word of the name: 0 the same word, 1 one typo
    (two letters swapped counts as one, though Levenshtein's distance counts two), else
    fuzzystrmatch's levenshtein_less_equal (https://www.postgresql.org/docs/current/fuzzystrmatch.html),
    at most MAX_WORD_DISTANCE + 1. Each typed word is measured on its own, so a middle name or a
    second family name costs nothing."""

    output_field = IntegerField()

    def __init__(self, name, *, word: str):
        super().__init__(name)
        self.word = word

    def as_sql(self, compiler, connection, **extra_context):
        name_sql, name_params = compiler.compile(self.source_expressions[0])
        sql = (
            "(SELECT min(CASE WHEN w = %s THEN 0 WHEN w = ANY(%s) THEN 1 ELSE levenshtein_less_equal(%s, w, %s) END)"
            f" FROM unnest(string_to_array({name_sql}, ' ')) AS w)"
        )
        return sql, (self.word, one_swap(self.word), self.word, MAX_WORD_DISTANCE, *name_params)


def _word_match(query_words: list[str], name: str) -> float:
    """How well each typed word matches some word of the name, averaged (0 to 1)."""
    name_words = name.split()
    if not name_words:
        return 0.0
    best = [max(difflib.SequenceMatcher(None, q, w).ratio() for w in name_words) for q in query_words]
    return sum(best) / len(best)


def _search_fallback(clients: QuerySet[Client], key: str, limit: int) -> list[Client]:
    words = key.split()
    # Candidates share a word's first or last two letters; a typo rarely hits both ends.
    near = Q()
    for word in words:
        near |= Q(search_name__contains=word[:2]) | Q(search_name__contains=word[-2:])
    scored = []
    for client in clients.filter(near)[:5000]:
        rank = _word_match(words, client.search_name)
        if rank >= 0.7:
            client.rank = rank
            scored.append(client)
    scored.sort(key=lambda c: (-c.rank, c.last_name, c.pk))
    return scored[:limit]


# How alike two names must be (difflib's ratio over the folded first and last names). Born the
# same day, 0.6 or the same family name is enough; a date one typo away must come with a name
# closer than that, or siblings a year apart would be offered as the same person.
SAME_DAY_NAME_RATIO = 0.6
TYPO_DAY_NAME_RATIO = 0.75
# On PostgreSQL the date index finds the candidates of the dates one typo away and trigram
# similarity drops the plainly different names before any row is sent back; Python decides.
TYPO_DAY_TRIGRAM_FLOOR = 0.15


def dates_one_typo_away(day: date) -> list[date]:
    """Real dates a person could have meant when typing `day` with one slip: day and month
    swapped, one digit of YYYY-MM-DD wrong, or two neighbouring digits of a part swapped."""
    found: set[date] = set()

    def add(year: int, month: int, dom: int) -> None:
        try:
            candidate = date(year, month, dom)
        except ValueError:
            return
        if candidate != day and candidate.year >= 1900:
            found.add(candidate)

    add(day.year, day.day, day.month)
    parts = [f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"]
    for index, part in enumerate(parts):
        variants = set()
        for position in range(len(part)):
            variants.update(part[:position] + digit + part[position + 1 :] for digit in "0123456789")
            if position + 1 < len(part):
                variants.add(part[:position] + part[position + 1] + part[position] + part[position + 2 :])
        for variant in variants:
            changed = [*parts]
            changed[index] = variant
            add(int(changed[0]), int(changed[1]), int(changed[2]))
    return sorted(found)


def client_likely_duplicates(
    *, user, first_name: str, last_name: str, date_of_birth: date | None, identifier_hash: str | None = None
) -> list[Client]:
    """Clients who may be the person being registered, in one query, each with `match` saying why:

    - "identifier": the same identifier, whatever the name;
    - "same_day": a similar name born the same day;
    - "typo_day": a close name born on a date one typo away (day and month swapped, one digit
      off): a possible duplicate, offered after the others.
    """
    wanted = Q(pk__in=[])
    if identifier_hash:
        wanted |= Q(identifier_hash=identifier_hash)
    key = search_key(first_name, last_name)
    typo_days = dates_one_typo_away(date_of_birth) if date_of_birth else []
    candidates = clients_visible(user=user).select_related("office")
    if date_of_birth:
        wanted |= Q(date_of_birth=date_of_birth)
        if key and connection.vendor == "postgresql":
            from django.contrib.postgres.search import TrigramSimilarity

            candidates = candidates.annotate(name_similarity=TrigramSimilarity("search_name", key))
            wanted |= Q(date_of_birth__in=typo_days, name_similarity__gte=TYPO_DAY_TRIGRAM_FLOOR)
        elif key:
            wanted |= Q(date_of_birth__in=typo_days)
    if not identifier_hash and not date_of_birth:
        return []
    found: dict[str, list[Client]] = {"identifier": [], "same_day": [], "typo_day": []}
    for client in candidates.filter(wanted).order_by("last_name", "first_name", "id"):
        ratio = difflib.SequenceMatcher(None, key, search_key(client.first_name, client.last_name)).ratio()
        if identifier_hash and client.identifier_hash == identifier_hash:
            client.match = "identifier"
        elif client.date_of_birth == date_of_birth and key:
            if ratio < SAME_DAY_NAME_RATIO and search_key(client.last_name) != search_key(last_name):
                continue
            client.match = "same_day"
        elif client.date_of_birth in typo_days and key and ratio >= TYPO_DAY_NAME_RATIO:
            client.match = "typo_day"
        else:
            continue
        found[client.match].append(client)
    return [client for group in found.values() for client in group]


def client_households(*, user, client: Client) -> list[HouseholdMembership]:
    """The client's memberships, current first, each with the current members `user` may see.

    A restricted member of the same household is left out for those who may not see them.
    """
    current_members = Prefetch(
        "household__memberships",
        queryset=HouseholdMembership.objects.filter(client_scope(user, prefix="client__"), end_date__isnull=True)
        .select_related("client")
        .order_by("start_date", "id"),
        to_attr="current_members",
    )
    return list(
        HouseholdMembership.objects.filter(client=client)
        .select_related("household")
        .prefetch_related(current_members)
        .order_by("end_date", "-start_date")
    )


def client_finances(*, client: Client) -> dict[str, list]:
    return {
        "incomes": list(Income.objects.filter(client=client).order_by("-start_date", "id")),
        "expenses": list(Expense.objects.filter(client=client).order_by("-start_date", "id")),
        "assets": list(Asset.objects.filter(client=client).order_by("-as_of", "id")),
    }


def client_documents(*, client: Client) -> list[Document]:
    return list(Document.objects.filter(client=client).select_related("uploaded_by", "verified_by"))


def client_consents(*, client: Client) -> list[Consent]:
    return list(Consent.objects.filter(client=client).select_related("recorded_by"))


def client_facts(*, client: Client) -> list[PersonFact]:
    """The client's facts, current ones first, then history, newest first within a kind (one query)."""
    return list(
        PersonFact.objects.filter(client=client)
        .select_related("recorded_by", "verified_by")
        .order_by("end_date", "kind", "-start_date", "id")
    )


def person_fact_get(*, user, pk: int) -> PersonFact:
    return get_object_or_404(
        PersonFact.objects.filter(client_scope(user, prefix="client__")).select_related("client"), pk=pk
    )


def document_get(*, user, pk: int) -> Document:
    return get_object_or_404(
        Document.objects.filter(client_scope(user, prefix="client__")).select_related("client"), pk=pk
    )


def finance_record_get(*, user, model: type, pk: int):
    return get_object_or_404(
        model.objects.filter(client_scope(user, prefix="client__")).select_related("client"), pk=pk
    )


def consent_get(*, user, pk: int) -> Consent:
    return get_object_or_404(
        Consent.objects.filter(client_scope(user, prefix="client__")).select_related("client"), pk=pk
    )


def membership_get(*, user, pk: int) -> HouseholdMembership:
    return get_object_or_404(
        HouseholdMembership.objects.filter(client_scope(user, prefix="client__")).select_related("client", "household"),
        pk=pk,
    )


def client_counts(*, user) -> dict[str, int]:
    """The home page's figures: the clients on the user's own cases (a supervisor's: their team's),
    not the whole office's they may also open. One aggregate, by the access rows' worker and
    supervisor indexes."""
    return Client.objects.filter(own_client_scope(user)).aggregate(
        clients=Count("id"), interpreter=Count("id", filter=Q(interpreter_needed=True))
    )


def household_current_members(*, user, household) -> list[HouseholdMembership]:
    """The household's current members that `user` may see."""
    return list(
        HouseholdMembership.objects.filter(
            client_scope(user, prefix="client__"), household=household, end_date__isnull=True
        )
        .select_related("client")
        .order_by("start_date", "id")
    )
