"""The household as the rules see it, built from the client records, and the program's parameter table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from casework.models import Case
from clients.models import Asset, Expense, HouseholdMembership, Income, PersonFact
from eligibility import rules
from eligibility.models import ParameterValue, Program
from eligibility.rules.parameters import decode_value


def parameter_table(program: Program) -> rules.ParameterTable:
    """Every stored version of the program's parameters, as the rules read them (one query)."""
    try:
        return rules.ParameterTable(
            rules.ParameterValue(
                name=row.name,
                value=decode_value(row.value, row.name),
                effective_from=row.effective_from,
                source=rules.Source(title=row.source_title, url=row.source_url),
                note=row.note,
                example=row.example,
            )
            for row in ParameterValue.objects.filter(program=program)
        )
    except rules.RulesError as error:
        raise ValidationError(f"The {program} parameters are malformed: {error}") from None


@dataclass(frozen=True)
class _Facts:
    """What a person's facts in force on a day say, as the snapshot carries it."""

    disabled: bool = False
    blind: bool = False
    student: bool = False
    homeless: bool = False
    pays_for_shelter: bool = False


NO_FACTS = _Facts()


def _facts_in_force(client_ids: Iterable[int], as_of: date) -> dict[int, _Facts]:
    """Each client's facts in force on `as_of` (one query). A student with a 7 CFR 273.5(b) exemption
    recorded is not a `student` for the snapshot; a fact's basis is always one of 7 CFR 271.2's."""
    found: dict[int, dict[str, bool]] = {}
    for client_id, kind, exemption, pays in (
        PersonFact.objects.filter(client_id__in=list(client_ids), start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .values_list("client_id", "kind", "student_exemption", "pays_for_shelter")
    ):
        flags = found.setdefault(client_id, {})
        if kind == PersonFact.Kind.DISABILITY:
            flags["disabled"] = True
        elif kind == PersonFact.Kind.BLINDNESS:
            flags["blind"] = True
        elif kind == PersonFact.Kind.STUDENT:
            flags["student"] = not exemption
        elif kind == PersonFact.Kind.HOMELESSNESS:
            flags["homeless"] = True
            flags["pays_for_shelter"] = bool(pays)
    return {client_id: _Facts(**flags) for client_id, flags in found.items()}


def _member(client_id: int, born: date, facts: _Facts) -> rules.Member:
    return rules.Member(
        id=str(client_id), date_of_birth=born, disabled=facts.disabled, blind=facts.blind, student=facts.student
    )


def _shelter(facts: Iterable[_Facts]) -> dict[str, bool]:
    """The household is homeless when a member's homelessness is in force; its shelter is free when
    none of those members pays anything for it (7 CFR 273.9(d)(6)(i))."""
    homeless = [f for f in facts if f.homeless]
    return {
        "homeless": bool(homeless),
        "receives_free_shelter": bool(homeless) and not any(f.pays_for_shelter for f in homeless),
    }


def snapshot_build(
    *, case: Case, as_of: date, application_date: date, exempt_asset_kinds: Iterable[str] = ()
) -> rules.HouseholdSnapshot:
    """The household of `case` on `as_of`, frozen for the rules (see `eligibility.rules.snapshot`).

    Members: the memberships that cover `as_of`. Incomes and expenses: their rows not ended
    before the benefit month (the rules count only the days each covers). Assets: held on
    `as_of`, those of `exempt_asset_kinds` marked exempt. A household with nobody in it is refused.
    """
    memberships = list(
        HouseholdMembership.objects.filter(household_id=case.household_id, start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .select_related("client")
        .order_by("start_date", "id")
    )
    if not memberships:
        raise ValidationError(
            f"Household {case.household} has no members on {as_of:%Y-%m-%d}; add its members before a determination."
        )
    client_ids = [m.client_id for m in memberships]
    first_of_month = as_of.replace(day=1)
    running = Q(client_id__in=client_ids) & (Q(end_date__isnull=True) | Q(end_date__gte=first_of_month))
    exempt = set(exempt_asset_kinds)
    facts = _facts_in_force(client_ids, as_of)
    try:
        return rules.HouseholdSnapshot(
            application_date=application_date,
            members=tuple(
                _member(m.client_id, m.client.date_of_birth, facts.get(m.client_id, NO_FACTS)) for m in memberships
            ),
            **_shelter(facts.get(c, NO_FACTS) for c in client_ids),
            incomes=tuple(
                rules.Income(
                    member_id=str(row.client_id),
                    kind=row.kind,
                    amount=row.amount,
                    frequency=row.frequency,
                    start=row.start_date,
                    end=row.end_date,
                )
                for row in Income.objects.filter(running).order_by("start_date", "id")
            ),
            expenses=tuple(
                rules.Expense(
                    member_id=str(row.client_id),
                    kind=row.kind,
                    amount=row.amount,
                    frequency=row.frequency,
                    start=row.start_date,
                    end=row.end_date,
                )
                for row in Expense.objects.filter(running).order_by("start_date", "id")
            ),
            assets=tuple(
                rules.Asset(member_id=str(row.client_id), kind=row.kind, value=row.value, exempt=row.kind in exempt)
                for row in Asset.objects.filter(client_id__in=client_ids, as_of__lte=as_of)
                .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=as_of))
                .order_by("id")
            ),
        )
    except rules.RulesError as error:
        raise ValidationError(f"The household's records cannot be assessed: {error}") from None


@dataclass(frozen=True)
class WhatIf:
    """Changes to try on a snapshot without saving anything.

    `income_amounts` / `expense_amounts`: new amounts by position in the snapshot's lists;
    `leave_out`: member ids to take out (with their incomes); `add_ages`: people to add, by age.
    `member_facts`: by member id, new values of what the rules read of a person (`date_of_birth`
    as a date, `disabled`, `blind`, `student`); `add_members`: people the record missed, each
    {"date_of_birth", "disabled", "blind", "student"}. `asset_values` / `asset_kinds`: new value or
    kind by position in the snapshot's assets; `drop_assets`: positions to take out; `add_assets`:
    resources the record missed, each {"kind", "value", "member_id"}.
    """

    income_amounts: Mapping[int, Decimal] = field(default_factory=dict)
    expense_amounts: Mapping[int, Decimal] = field(default_factory=dict)
    leave_out: frozenset[str] = frozenset()
    add_ages: tuple[int, ...] = ()
    add_monthly_earnings: Decimal | None = None
    member_facts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    add_members: tuple[Mapping[str, Any], ...] = ()
    asset_values: Mapping[int, Decimal] = field(default_factory=dict)
    asset_kinds: Mapping[int, str] = field(default_factory=dict)
    drop_assets: frozenset[int] = frozenset()
    add_assets: tuple[Mapping[str, Any], ...] = ()


_MEMBER_FIELDS = ("date_of_birth", "disabled", "blind", "student")


def _member_doc(values: Mapping[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    for name in _MEMBER_FIELDS:
        if name in values:
            value = values[name]
            into[name] = value.isoformat() if isinstance(value, date) else value
    return into


def _check_change(data: Mapping[str, Any], change: WhatIf) -> None:
    """Refuse a change that names what the snapshot does not hold: a member id, or the place of an
    income, expense or resource, that is not in it; a member both taken out and corrected; a resource
    added for someone who is not (or no longer) in the household."""
    member_ids = {str(m["id"]) for m in data["members"]}
    unknown = (set(change.member_facts) | set(change.leave_out)) - member_ids
    if unknown:
        raise ValidationError(_("The recorded household has no member %(ids)s.") % {"ids": ", ".join(sorted(unknown))})
    if change.leave_out & set(change.member_facts):
        raise ValidationError(_("A member taken out of the household cannot also be corrected."))
    assets = {*change.asset_values, *change.asset_kinds, *change.drop_assets}
    for kind, places, refusal in (
        ("incomes", change.income_amounts, _("The recorded household has no such income.")),
        ("expenses", change.expense_amounts, _("The recorded household has no such expense.")),
        ("assets", assets, _("The recorded household has no such resource.")),
    ):
        if any(not 0 <= n < len(data[kind]) for n in places):
            raise ValidationError(refusal)
    staying = member_ids - set(change.leave_out)
    if any(a.get("member_id") not in (None, *staying) for a in change.add_assets):
        raise ValidationError(_("A resource added to the household belongs to one of its members, or to none."))


def snapshot_change(snapshot: rules.HouseholdSnapshot, change: WhatIf, *, as_of: date) -> rules.HouseholdSnapshot:
    """A copy of `snapshot` with `change` applied. What the change names must be in the snapshot
    (`_check_change`); the rules' own checks refuse bad figures."""
    data: dict[str, Any] = snapshot.to_dict()
    _check_change(data, change)
    for index, amount in change.income_amounts.items():
        data["incomes"][index]["amount"] = str(amount)
    for index, amount in change.expense_amounts.items():
        data["expenses"][index]["amount"] = str(amount)
    for index, value in change.asset_values.items():
        data["assets"][index]["value"] = str(value)
    for index, kind in change.asset_kinds.items():
        data["assets"][index]["kind"] = kind
    data["assets"] = [a for n, a in enumerate(data["assets"]) if n not in change.drop_assets]
    for member in data["members"]:
        _member_doc(change.member_facts.get(member["id"], {}), member)
    data["members"] = [m for m in data["members"] if m["id"] not in change.leave_out]
    data["incomes"] = [i for i in data["incomes"] if i["member_id"] not in change.leave_out]
    data["expenses"] = [e for e in data["expenses"] if e.get("member_id") not in change.leave_out]
    data["assets"] = [a for a in data["assets"] if a.get("member_id") not in change.leave_out]
    for number, age in enumerate(change.add_ages, start=1):
        born = date(as_of.year - age, 1, 1) if age else as_of
        data["members"].append({"id": f"whatif-{number}", "date_of_birth": born.isoformat(), "disabled": False})
    for number, values in enumerate(change.add_members, start=1):
        data["members"].append(_member_doc(values, {"id": f"added-{number}", "disabled": False}))
    for values in change.add_assets:
        data["assets"].append(
            {
                "kind": values["kind"],
                "value": str(values["value"]),
                "member_id": values.get("member_id"),
                "exempt": False,
            }
        )
    if change.add_monthly_earnings:
        if not data["members"]:
            raise ValidationError("Keep at least one person in the household to add earnings.")
        data["incomes"].append(
            {
                "member_id": data["members"][0]["id"],
                "kind": "earned",
                "amount": str(change.add_monthly_earnings),
                "frequency": "monthly",
                "start": snapshot.application_date.isoformat(),
                "end": None,
            }
        )
    try:
        return rules.HouseholdSnapshot.from_dict(data)
    except rules.RulesError as error:
        raise ValidationError(f"The changed household cannot be assessed: {error}") from None


def snapshots_build_many(
    *, households: Mapping[int, tuple[date, Iterable[str]]], as_of: date
) -> dict[int, rules.HouseholdSnapshot | ValidationError]:
    """`snapshot_build` for many households at once, in five queries whatever their number.

    `households` maps a household id to (application date, exempt asset kinds). Each answer is
    the snapshot, or the ValidationError `snapshot_build` would have raised for that household.
    Row order and filters are those of `snapshot_build`, so the two give equal snapshots.
    """
    first_of_month = as_of.replace(day=1)
    members: dict[int, list[tuple[int, date]]] = {}
    member_household: dict[int, int] = {}
    for household_id, client_id, born in (
        HouseholdMembership.objects.filter(household_id__in=list(households), start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .order_by("start_date", "id")
        .values_list("household_id", "client_id", "client__date_of_birth")
    ):
        members.setdefault(household_id, []).append((client_id, born))
        member_household[client_id] = household_id
    client_ids = list(member_household)
    running = Q(client_id__in=client_ids) & (Q(end_date__isnull=True) | Q(end_date__gte=first_of_month))
    fields = ("client_id", "kind", "amount", "frequency", "start_date", "end_date")
    incomes: dict[int, list] = {}
    for row in Income.objects.filter(running).order_by("start_date", "id").values_list(*fields):
        incomes.setdefault(member_household[row[0]], []).append(row)
    expenses: dict[int, list] = {}
    for row in Expense.objects.filter(running).order_by("start_date", "id").values_list(*fields):
        expenses.setdefault(member_household[row[0]], []).append(row)
    assets: dict[int, list] = {}
    for row in (
        Asset.objects.filter(client_id__in=client_ids, as_of__lte=as_of)
        .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=as_of))
        .order_by("id")
        .values_list("client_id", "kind", "value")
    ):
        assets.setdefault(member_household[row[0]], []).append(row)
    facts = _facts_in_force(client_ids, as_of)

    result: dict[int, rules.HouseholdSnapshot | ValidationError] = {}
    for household_id, (application_date, exempt_kinds) in households.items():
        if household_id not in members:
            result[household_id] = ValidationError(f"Household {household_id} has no members on {as_of:%Y-%m-%d}.")
            continue
        exempt = set(exempt_kinds)
        try:
            result[household_id] = rules.HouseholdSnapshot(
                application_date=application_date,
                members=tuple(_member(c, born, facts.get(c, NO_FACTS)) for c, born in members[household_id]),
                **_shelter(facts.get(c, NO_FACTS) for c, _ in members[household_id]),
                incomes=tuple(
                    rules.Income(member_id=str(c), kind=k, amount=a, frequency=f, start=s, end=e)
                    for c, k, a, f, s, e in incomes.get(household_id, ())
                ),
                expenses=tuple(
                    rules.Expense(member_id=str(c), kind=k, amount=a, frequency=f, start=s, end=e)
                    for c, k, a, f, s, e in expenses.get(household_id, ())
                ),
                assets=tuple(
                    rules.Asset(member_id=str(c), kind=k, value=v, exempt=k in exempt)
                    for c, k, v in assets.get(household_id, ())
                ),
            )
        except rules.RulesError as error:
            result[household_id] = ValidationError(f"The household's records cannot be assessed: {error}")
    return result
