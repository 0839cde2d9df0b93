"""The nightly redetermination: households whose facts changed since their last decision are run again.

Change is found by comparing the snapshot built now with the one stored on the last decided
determination, not by `updated_at` timestamps: the client tables do not all carry one, a
snapshot also changes when an income simply ends or a member leaves, and the comparison is
exactly "would the rules see a different household". It costs one snapshot per active
enrollment a night, built in batches (`snapshots_build_many`, five queries per batch), and five
more per batch, only when something changed, for the dates the stored records give the rows
that differ (an income that ended since the last decision has left the new snapshot, and the
day after its end is when the household's facts changed).

When a change takes effect
--------------------------

`change_happened` finds the first day the household's facts differ, from the dated rows that
differ: the start of a row that is new, the day after the end of a row that ended (or whose end
moved), the start of a row recorded differently (an amount corrected in place was wrong since
its start). Never the start of a row that merely ended: the household had that row's facts
until its end. A member counts from the start of their membership or the day after its end, an
asset from the day it was held or disposed of, a person's recorded fact (a disability, student
status, homelessness) from the day it began or the day after it ended. A difference with no
date of its own (a member's date of birth corrected, say) is dated the day the job saw it.

`change_effective_on` turns that day into the first month the change affects, by the
program's reporting rule (`CHANGE_TIMING`): the first month wholly under the new facts (a change
on the 1st affects that month; a change later in a month, the next month, whose benefit is the
first a report made on the day could have changed), plus the program's months of reporting
and notice time, and never a month before the enrollment began. A change that raises the
benefit counts from the month it was reported (the job's day), never earlier: 7 CFR
273.12(c)(1) makes an increase effective after the report, and only benefits lost through the
agency's own error are restored for earlier months (7 CFR 273.17).

SNAP: a household reports a change within 10 days of learning of it (7 CFR 273.12(a)(2)); the
agency acts on it, a decrease after advance notice (7 CFR 273.12(c)(1)-(2), 273.13(a)). For a
claim, the first month affected is the first month in which the change would have taken effect
had it been reported on time, and never later than two months after the month it happened
(7 CFR 273.18(c)(1)(ii)(A), https://www.ecfr.gov/current/title-7/section-273.18). Casework
counts from the earliest such month, the first whole month under the new facts; a state that
counts its reporting, processing and notice days sets `months_after` (one or two).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record_many
from casework.models import Task
from casework.services.tasks import NewTask, task_create_many
from clients.models import Asset, Expense, Frequency, HouseholdMembership, Income, PersonFact
from core.money import format_money
from core.users import job_user
from eligibility import rules
from eligibility.models import Determination, Enrollment
from eligibility.rules.snapshot import snapshot_upgrade
from eligibility.selectors import redetermine_candidates
from eligibility.services.snapshots import parameter_table, snapshots_build_many

Action = AuditEvent.Action
DATED = ("incomes", "expenses")


@dataclass
class RedetermineCounts:
    unchanged: int = 0
    recorded: int = 0
    to_confirm: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ChangeTiming:
    """A program's rule for the first month a change affects.

    `months_after`: months added to the first month wholly under the new facts (time to report
    and act on the change); `at_most_months_after`: the latest month, counted from the month the
    change happened, the rule allows (None: no bound).
    """

    months_after: int = 0
    at_most_months_after: int | None = None
    source: str = ""


#: By rules module; a program not listed follows `DEFAULT_CHANGE_TIMING`.
CHANGE_TIMING: dict[str, ChangeTiming] = {
    "snap": ChangeTiming(
        months_after=0,
        at_most_months_after=2,
        source="7 CFR 273.18(c)(1)(ii)(A) and 273.12(c)",
    ),
}
#: Income Support and drug assistance publish no rule of their own: the first whole month.
DEFAULT_CHANGE_TIMING = ChangeTiming(source="the program's default: the first whole month under the new facts")


@dataclass(frozen=True)
class Change:
    """The first day the household's facts differ, and that difference in words."""

    on: date
    what: str
    dated: bool = True


@dataclass(frozen=True)
class Effective:
    """The first of the first month a change affects, and why, in a sentence for the pages."""

    on: date
    why: str


RowKey = tuple[str, str, str, str, str, str]


def ended_key(table: str, member_id: str, kind: str, amount: str, frequency: str, start: str) -> RowKey:
    """How an ended row is looked up: the fields a snapshot row and a stored row share, end aside."""
    return (table, member_id, kind, amount, frequency, start)


def _identity(row: Mapping) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in row.items() if k != "end"))


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _after(day: date) -> date:
    return day + timedelta(days=1)


def _row_words(table: str, row: Mapping) -> str:
    model = Income if table == "incomes" else Expense
    try:
        kind = model.Kind(row.get("kind")).label
    except ValueError:
        kind = str(row.get("kind"))
    try:
        often = Frequency(row.get("frequency")).label.lower()
    except ValueError:
        often = str(row.get("frequency"))
    return f"{kind} of {format_money(Decimal(str(row.get('amount'))))} ({often})"


Spans = Sequence[tuple[date, date | None]]
AssetKey = tuple[str, str, str]
#: A person fact's spans, by (member id, kind of `clients.PersonFact`).
FactKey = tuple[str, str]
#: The snapshot's member flags and household flags, and the kind of fact each comes from.
MEMBER_FLAG_FACTS = {"disabled": "disability", "blind": "blindness", "student": "student"}
HOUSEHOLD_FLAG_FACTS = {"homeless": "homelessness", "receives_free_shelter": "homelessness"}
FLAG_WORDS = {
    "disabled": "disability",
    "blind": "blindness",
    "student": "student status",
    "homeless": "homelessness",
    "receives_free_shelter": "free shelter",
}


def change_happened(
    old: Mapping,
    new: Mapping,
    *,
    as_of: date,
    ended: Mapping[RowKey, date] | None = None,
    members: Mapping[str, Spans] | None = None,
    assets: Mapping[AssetKey, Spans] | None = None,
    facts: Mapping[FactKey, Spans] | None = None,
) -> Change | None:
    """The first day the household's facts differ between two snapshots (None: they do not).

    `ended`: the end date of rows that ended before the new snapshot's month, by `ended_key`
    (such a row is no longer in the new snapshot). `members`: each member's memberships of the
    household (start, end), by member id; `assets`: the stored (as of, disposed on) of each
    asset, by (member id, kind, value); `facts`: the (start, end) of each person fact, by (member
    id, kind). Without them a member, an asset or a fact is dated `as_of`.
    """
    ended = ended or {}
    changes: list[Change] = _member_changes(old, new, as_of, members or {}, facts or {})
    changes += _asset_changes(old, new, as_of, assets or {})
    for table in DATED:
        old_rows, new_rows = _unmatched(old.get(table, ()), new.get(table, ()))
        for row in old_rows:
            words = _row_words(table, row)
            twin = next((n for n in new_rows if _identity(n) == _identity(row)), None)
            if twin is not None:
                # The same row with another end: the facts differ from the day after the earlier end.
                new_rows.remove(twin)
                ends = [d for d in (_day(row.get("end")), _day(twin.get("end"))) if d is not None]
                end = min(ends)
                changes.append(Change(_after(end), f"{words}: end changed to {twin.get('end') or 'none'}"))
                continue
            key = ended_key(
                table,
                str(row.get("member_id")),
                str(row.get("kind")),
                str(row.get("amount")),
                str(row.get("frequency")),
                str(row.get("start")),
            )
            own_end = _day(row.get("end"))
            if key in ended:
                changes.append(Change(_after(ended[key]), f"{words} ended {ended[key]:%Y-%m-%d}"))
            elif own_end is not None and own_end < as_of.replace(day=1):
                # Its end was already known at the last decision; it has simply run out.
                changes.append(Change(_after(own_end), f"{words} ended {own_end:%Y-%m-%d}"))
            else:
                # Recorded differently or removed: the old figure was wrong from its start.
                start = _day(row.get("start"))
                if start is None:
                    changes.append(Change(as_of, f"{words} no longer on the record", dated=False))
                else:
                    changes.append(Change(start, f"{words} from {start:%Y-%m-%d} corrected on the record"))
        for row in new_rows:
            start = _day(row.get("start"))
            words = _row_words(table, row)
            if start is None:
                changes.append(Change(as_of, f"{words} added", dated=False))
            else:
                changes.append(Change(start, f"{words} from {start:%Y-%m-%d}"))
    for flag, kind in HOUSEHOLD_FLAG_FACTS.items():
        if old.get(flag) != new.get(flag):
            members_now = [str(m.get("id")) for m in new.get("members", ())]
            changes.append(_fact_change(f"The household's {FLAG_WORDS[flag]}", kind, members_now, as_of, facts or {}))
    undated = sorted(
        key
        for key in set(old) | set(new)
        if key not in (*DATED, *HOUSEHOLD_FLAG_FACTS, "members", "assets", "version") and old.get(key) != new.get(key)
    )
    if undated:
        changes.append(Change(as_of, f"{', '.join(k.replace('_', ' ') for k in undated)} changed", dated=False))
    if not changes:
        return None
    return min(changes, key=lambda c: (c.on, not c.dated))


def _fact_change(
    what: str, kind: str, member_ids: Iterable[str], as_of: date, facts: Mapping[FactKey, Spans]
) -> Change:
    """A fact that began counts from its start, one that ended from the day after its end: the
    latest such day on or before `as_of` among these members' facts of `kind`."""
    days = []
    for member_id in member_ids:
        for start, end in facts.get((member_id, kind), ()):
            if start <= as_of:
                days.append(start)
            if end is not None and end < as_of:
                days.append(_after(end))
    if not days:
        return Change(as_of, what + " changed", dated=False)
    return Change(max(days), f"{what} changed on {max(days):%Y-%m-%d}")


def _member_changes(
    old: Mapping, new: Mapping, as_of: date, spans: Mapping[str, Spans], facts: Mapping[FactKey, Spans]
) -> list[Change]:
    """A member who joined counts from the membership's start, one who left from the day after its
    end; a member's recorded fact (a disability, say) from the day it began or ended."""
    before = {m.get("id"): m for m in old.get("members", ())}
    after = {m.get("id"): m for m in new.get("members", ())}
    changes: list[Change] = []
    for member_id in sorted(set(after) - set(before), key=str):
        starts = [start for start, _end in spans.get(str(member_id), ()) if start <= as_of]
        if starts:
            changes.append(Change(max(starts), f"A member joined the household on {max(starts):%Y-%m-%d}"))
        else:
            changes.append(Change(as_of, "A member joined the household", dated=False))
    for member_id in sorted(set(before) - set(after), key=str):
        ends = [end for _start, end in spans.get(str(member_id), ()) if end is not None and end < as_of]
        if ends:
            changes.append(Change(_after(max(ends)), f"A member left the household on {max(ends):%Y-%m-%d}"))
        else:
            changes.append(Change(as_of, "A member left the household", dated=False))
    for member_id in sorted(set(before) & set(after), key=str):
        old_member, new_member = before[member_id], after[member_id]
        if old_member == new_member:
            continue
        flags = [f for f in MEMBER_FLAG_FACTS if old_member.get(f, False) != new_member.get(f, False)]
        for flag in flags:
            changes.append(
                _fact_change(f"A member's {FLAG_WORDS[flag]}", MEMBER_FLAG_FACTS[flag], [str(member_id)], as_of, facts)
            )
        rest = {k for k in set(old_member) | set(new_member) if k not in MEMBER_FLAG_FACTS}
        if any(old_member.get(k) != new_member.get(k) for k in rest):
            changes.append(Change(as_of, "A member's details changed", dated=False))
    return changes


def _asset_words(row: Mapping) -> str:
    try:
        kind = Asset.Kind(row.get("kind")).label
    except ValueError:
        kind = str(row.get("kind"))
    return f"{kind} worth {format_money(Decimal(str(row.get('value'))))}"


def _unmatched(old_rows, new_rows) -> tuple[list, list]:
    """The rows of each side left once identical rows are paired off (one for one, so duplicates count)."""
    old_rows, new_rows = list(old_rows), list(new_rows)
    for row in list(old_rows):
        if row in new_rows:
            old_rows.remove(row)
            new_rows.remove(row)
    return old_rows, new_rows


def _asset_changes(old: Mapping, new: Mapping, as_of: date, spans: Mapping[AssetKey, Spans]) -> list[Change]:
    """An asset now held counts from its date, one no longer held from the day it was disposed of."""
    old_rows, new_rows = _unmatched(old.get("assets", ()), new.get("assets", ()))
    changes: list[Change] = []

    def key(row: Mapping) -> AssetKey:
        return (str(row.get("member_id")), str(row.get("kind")), str(row.get("value")))

    for row in old_rows:
        twin = next((n for n in new_rows if key(n) == key(row)), None)
        if twin is not None:
            # Held still, counted differently (the program's exempt kinds changed): no date of its own.
            new_rows.remove(twin)
            changes.append(Change(as_of, f"{_asset_words(row)} counted differently", dated=False))
            continue
        gone = [out for _held, out in spans.get(key(row), ()) if out is not None and out <= as_of]
        if gone:
            changes.append(Change(max(gone), f"{_asset_words(row)} disposed of on {max(gone):%Y-%m-%d}"))
        else:
            changes.append(Change(as_of, f"{_asset_words(row)} no longer held", dated=False))
    for row in new_rows:
        held = [since for since, _out in spans.get(key(row), ()) if since <= as_of]
        if held:
            changes.append(Change(max(held), f"{_asset_words(row)} held from {max(held):%Y-%m-%d}"))
        else:
            changes.append(Change(as_of, f"{_asset_words(row)} now held", dated=False))
    return changes


def _first_of_month_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def change_effective_on(
    old: Mapping,
    new: Mapping,
    *,
    as_of: date,
    rules_module: str = "",
    enrollment_began: date | None = None,
    ended: Mapping[RowKey, date] | None = None,
    members: Mapping[str, Spans] | None = None,
    assets: Mapping[AssetKey, Spans] | None = None,
    facts: Mapping[FactKey, Spans] | None = None,
    raises_benefit: bool = False,
) -> Effective:
    """The first of the first month the household's change affects under the program's rule.

    See the module's docstring. A change with no date of its own counts from the month of
    `as_of`, when the job saw it; so does one that `raises_benefit`, which counts from when it
    was reported, not before; nothing counts from before the month `enrollment_began`.
    """
    timing = CHANGE_TIMING.get(rules_module, DEFAULT_CHANGE_TIMING)
    change = change_happened(old, new, as_of=as_of, ended=ended, members=members, assets=assets, facts=facts) or Change(
        as_of, "the household", dated=False
    )
    if not change.dated:
        month = change.on.replace(day=1)
        why = f"{change.what}, seen {change.on:%Y-%m-%d}: from that month"
    else:
        first_whole = change.on if change.on.day == 1 else _first_of_month_after(change.on, 1)
        month = _first_of_month_after(first_whole, timing.months_after)
        if timing.at_most_months_after is not None:
            month = min(month, _first_of_month_after(change.on, timing.at_most_months_after))
        why = f"{change.what}: the first month it affects is {month:%B %Y} ({timing.source})"
    if raises_benefit and month < as_of.replace(day=1):
        # A change in the household's favour counts from when it was reported (here: when the job
        # first saw it on the record), not from when it happened: 7 CFR 273.12(c)(1). Benefits lost
        # by the agency's own error are restored separately (7 CFR 273.17).
        month = as_of.replace(day=1)
        why += f"; it raises the benefit, so from the month it was reported, {month:%B %Y} (7 CFR 273.12(c)(1))"
    if enrollment_began is not None and month < enrollment_began.replace(day=1):
        month = enrollment_began.replace(day=1)
        why += f"; the enrollment began in {month:%B %Y}, so from then"
    return Effective(on=month, why=f"{why[0].upper()}{why[1:]}"[:300])


def ended_rows(*, client_ids: Iterable[int], since: date, before: date) -> dict[RowKey, date]:
    """The incomes and expenses of these clients that ended in [since, before), by `ended_key` (two queries)."""
    found: dict[RowKey, date] = {}
    for table, model in (("incomes", Income), ("expenses", Expense)):
        for client_id, kind, amount, frequency, start, end in (
            model.objects.filter(client_id__in=list(client_ids), end_date__gte=since, end_date__lt=before)
            .order_by("end_date", "id")
            .values_list("client_id", "kind", "amount", "frequency", "start_date", "end_date")
        ):
            key = ended_key(table, str(client_id), kind, str(amount), frequency, start.isoformat())
            found[key] = min(end, found.get(key, end))
    return found


def membership_spans(*, household_ids: Iterable[int]) -> dict[int, dict[str, list[tuple[date, date | None]]]]:
    """Every membership of these households, by household and member id (one query)."""
    found: dict[int, dict[str, list[tuple[date, date | None]]]] = {}
    for household_id, client_id, start, end in HouseholdMembership.objects.filter(
        household_id__in=list(household_ids)
    ).values_list("household_id", "client_id", "start_date", "end_date"):
        found.setdefault(household_id, {}).setdefault(str(client_id), []).append((start, end))
    return found


def asset_spans(*, client_ids: Iterable[int], since: date) -> dict[AssetKey, list[tuple[date, date | None]]]:
    """The assets of these clients held on or after `since`, by (member id, kind, value) (one query)."""
    found: dict[AssetKey, list[tuple[date, date | None]]] = {}
    for client_id, kind, value, held, out in (
        Asset.objects.filter(client_id__in=list(client_ids))
        .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gte=since))
        .values_list("client_id", "kind", "value", "as_of", "disposed_on")
    ):
        found.setdefault((str(client_id), kind, str(value)), []).append((held, out))
    return found


def fact_spans(*, client_ids: Iterable[int]) -> dict[FactKey, list[tuple[date, date | None]]]:
    """Every person fact of these clients, by (member id, kind) (one query). All of them: an end
    recorded late may fall before the last decision's month."""
    found: dict[FactKey, list[tuple[date, date | None]]] = {}
    for client_id, kind, start, end in PersonFact.objects.filter(client_id__in=list(client_ids)).values_list(
        "client_id", "kind", "start_date", "end_date"
    ):
        found.setdefault((str(client_id), kind), []).append((start, end))
    return found


def redetermine_many(*, enrollment_ids: Iterable[int], run_on: date) -> RedetermineCounts:
    """Redetermine these enrollments for the month of `run_on`, in the caller's transaction.

    Unchanged household: nothing is written. Changed household, same result: a determination
    is recorded and decided by the job (the new facts become the ones the next run compares
    with). Changed result (eligibility or amount): a draft determination flagged as a
    redetermination, with the first month the change affects as its effective date and why
    (`change_effective_on`), and a
    "confirm redetermination" task; the worker decides it through `determination_finalise`.
    """
    counts = RedetermineCounts()
    enrollments = list(
        redetermine_candidates(run_on=run_on)
        .filter(pk__in=list(enrollment_ids))
        .select_related("program", "case__assigned_worker")
        .order_by("pk")
    )
    if not enrollments:
        return counts
    last: dict[int, Determination] = {}
    for row in (
        Determination.objects.filter(enrollment__in=enrollments)
        .exclude(status=Determination.Status.DRAFT)
        .order_by("enrollment_id", "-run_at", "-id")
        .distinct("enrollment_id")
        if _distinct_on()
        else Determination.objects.filter(enrollment__in=enrollments)
        .exclude(status=Determination.Status.DRAFT)
        .order_by("-run_at", "-id")
    ).only("id", "enrollment_id", "as_of", "snapshot", "eligible", "monthly_amount"):
        last.setdefault(row.enrollment_id, row)
    snapshots = snapshots_build_many(
        households={e.case.household_id: (e.application_date, e.program.exempt_asset_kinds) for e in enrollments},
        as_of=run_on,
    )
    changed: list[tuple[Enrollment, Determination, rules.HouseholdSnapshot, dict, dict]] = []
    for enrollment in enrollments:
        previous = last.get(enrollment.pk)
        snapshot = snapshots.get(enrollment.case.household_id)
        if previous is None or snapshot is None:
            continue
        if isinstance(snapshot, ValidationError):
            counts.failed += 1
            continue
        data = snapshot.to_dict()
        # Most households have not changed and their stored snapshot is of the current version:
        # equal as stored, it needs no upgrade (reading and rewriting it is most of a batch's time).
        if data == previous.snapshot:
            counts.unchanged += 1
            continue
        before = snapshot_upgrade(previous.snapshot)
        if data == before:
            counts.unchanged += 1
            continue
        changed.append((enrollment, previous, snapshot, data, before))
    if not changed:
        return counts
    # What the stored records say of when the differing rows began and ended (five queries a batch):
    # a row that ended since the last decision has left the new snapshot, and its end dates the change.
    client_ids = {
        int(member["id"])
        for _e, previous, _s, data, _b in changed
        for snapshot_data in (previous.snapshot, data)
        for member in snapshot_data.get("members", ())
        if str(member.get("id", "")).isdigit()
    }
    since = min(previous.as_of for _e, previous, _s, _d, _b in changed).replace(day=1)
    ended = ended_rows(client_ids=client_ids, since=since, before=run_on.replace(day=1))
    memberships = membership_spans(household_ids={e.case.household_id for e, _p, _s, _d, _b in changed})
    assets = asset_spans(client_ids=client_ids, since=since)
    facts = fact_spans(client_ids=client_ids)
    params: dict[int, object] = {}
    user = job_user()
    now = timezone.now()
    new_rows: list[Determination] = []
    confirm: list[Enrollment] = []
    for enrollment, _previous, snapshot, data, before in changed:
        module = rules.PROGRAMS[enrollment.program.rules_module]
        try:
            if enrollment.program_id not in params:
                params[enrollment.program_id] = module.parameters_on(run_on, parameter_table(enrollment.program))
            outcome = module.evaluate(snapshot, params[enrollment.program_id], run_on)
        except (rules.RulesError, ValidationError):
            counts.failed += 1
            continue
        stored = outcome.to_dict()
        parameters_used = stored.pop("parameters_used")
        changes_result = not outcome.eligible or outcome.monthly_amount != enrollment.monthly_amount
        row = Determination(
            enrollment=enrollment,
            as_of=run_on,
            snapshot=data,
            outcome=stored,
            parameters_used=parameters_used,
            eligible=outcome.eligible,
            monthly_amount=outcome.monthly_amount,
            copay_percent=outcome.copay_percent,
            rule_version=module.RULE_VERSION,
            run_by=user,
            run_at=now,
            is_redetermination=True,
        )
        effective = change_effective_on(
            before,
            data,
            as_of=run_on,
            rules_module=enrollment.program.rules_module,
            enrollment_began=enrollment.application_date,
            ended=ended,
            members=memberships.get(enrollment.case.household_id, {}),
            assets=assets,
            facts=facts,
            raises_benefit=outcome.eligible and outcome.monthly_amount > (enrollment.monthly_amount or 0),
        )
        row.effective_on, row.effective_reason = effective.on, effective.why
        if changes_result:
            counts.to_confirm += 1
            confirm.append(enrollment)
        else:
            # Same eligibility and amount: nothing for a worker to decide, the job records it.
            row.status = Determination.Status.APPROVED
            row.finalised_by = user
            row.finalised_at = now
            counts.recorded += 1
        new_rows.append(row)
    if not new_rows:
        return counts
    Determination.objects.bulk_create(new_rows)
    _audit_many(new_rows, user)
    drafts = [r for r in new_rows if r.status == Determination.Status.DRAFT]
    task_create_many(
        tasks=[
            NewTask(
                case=enrollment.case,
                kind=Task.Kind.REVIEW,
                title=f"Confirm redetermination: {enrollment.program} from {row.effective_on:%B %Y}",
                due_on=run_on,
                details=(
                    f"The household's facts changed; the rules now give "
                    f"{'eligible, ' if row.eligible else 'not eligible, '}{row.monthly_amount} a month "
                    f"(now {enrollment.monthly_amount}). From {row.effective_on:%B %Y}: {row.effective_reason} "
                    f"Approve or deny determination {row.pk}."
                ),
                dedupe_key=f"eligibility-redetermine-{row.pk}",
            )
            for enrollment, row in zip(confirm, drafts, strict=True)
        ]
    )
    return counts


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _audit_many(rows: list[Determination], user) -> None:
    """One audit event per new determination, naming the clients of its case (`audit_record_many`)."""
    from accounts.models import CaseAccess

    case_ids = {row.enrollment.case_id for row in rows}
    clients: dict[int, list[int]] = {}
    for case_id, client_id in CaseAccess.objects.filter(case_id__in=case_ids).values_list("case_id", "client_id"):
        clients.setdefault(case_id, []).append(client_id)
    audit_record_many(
        actor=user,
        action=Action.CREATE,
        records=[
            {
                "target": row,
                "client_ids": clients.get(row.enrollment.case_id, ()),
                "changes": {
                    "as_of": [None, row.as_of.isoformat()],
                    "eligible": [None, row.eligible],
                    "monthly_amount": [None, str(row.monthly_amount)],
                    "effective_on": [None, row.effective_on.isoformat()],
                    "effective_reason": [None, row.effective_reason],
                    "status": [None, row.status],
                },
                "reason": "Household facts changed (nightly redetermination)",
            }
            for row in rows
        ],
    )
