"""Income Support (basic needs assistance), modelled on Newfoundland and Labrador's program.

`evaluate(snapshot, params, determination_date)` for the benefit month, the calendar month of
`determination_date`, in these steps:

1. Monthly figures: earnings, countable unearned income, rent or mortgage (below).
2. An applicant: someone in the household is an adult.
3. need           = basic rate for the household's composition + shelter allowance
                    + the disability supplement for each disabled adult (when the parameter is set)
   shelter        = rent or mortgage, up to the maximum: by the household's size, or (from
                    September 2025) one amount for a one-adult household and an amount for
                    each adult when there are two or more
4. counted income = earnings minus the earnings exemption + countable unearned income
5. Liquid assets within the limit (below).
6. monthly amount = need - counted income, rounded to the cent (half up); nothing if negative

Composition: adults are members 18 or older on the determination date, the others are
dependent children; rates are for one adult or two adults, with or without children, plus an
amount for each adult past two. Earnings exemption (Government of Newfoundland and Labrador,
"Moving into the Workforce"): the first $150 a month is not counted, then 75% of earnings from
$150 to $225, 50% from $225 to $300 and 25% above $300 are kept. Liquid assets (cash, bank
accounts, investments not marked exempt) must be within the limit for the household's size.

Incomes and expenses are turned into monthly figures by the `income_support.frequency_factors`
parameter (exact annualisation), and count for the days of the month they cover.

Rates (see `data/income_support_nl.json`): from September 2025 the basic and shelter amounts are
the province's published ones; the values before, the liquid asset limits and the disability
supplement are EXAMPLES, flagged `example`, and a determination that used one says so.
Not modelled: the first-60-days benefit overlap after starting work, supportive-services
exemptions, board and lodging rates, special needs and non-basic benefits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from core.money import format_money
from eligibility.rules.parameters import (
    ParameterError,
    ParameterSet,
    ParameterTable,
    PreparedCache,
    check_in_force,
    frequency_factors,
    shipped_table,
    values_in_force,
)
from eligibility.rules.result import Criterion, Outcome
from eligibility.rules.snapshot import (
    EARNED_KINDS,
    ZERO,
    HouseholdSnapshot,
    check_determination_date,
    days_covered,
    month_bounds,
    monthly_figure,
)

PROGRAM = "income_support"
RULE_VERSION = 2  # bump when results change; then `python -m eligibility.tests.golden --update`

REQUIRED = (
    "income_support.basic_rate",
    "income_support.shelter_maximum",
    "income_support.liquid_asset_limit",
    "income_support.liquid_asset_kinds",
    "income_support.counted_unearned_kinds",
    "income_support.earnings_exemption",
    "income_support.adult_age",
    "income_support.frequency_factors",
)
# Absent from parameter sets recorded before it existed: such a determination replays without it.
OPTIONAL = ("income_support.disability_supplement",)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
_RATE_KEYS = ("1_adult", "1_adult_with_children", "2_adults", "2_adults_with_children", "each_additional_adult")
_SIZE_KEYS = ("1_person", "2_or_more_people")
_ADULT_KEYS = ("1_adult", "each_adult_when_2_or_more")


@dataclass(frozen=True, slots=True)
class IncomeSupportParameters:
    valid_from: date
    valid_until: date | None
    basic_rate: Mapping[str, Decimal]
    shelter_maximum: Mapping[str, Decimal]
    shelter_by_adults: bool
    liquid_asset_limit: Mapping[str, Decimal]
    liquid_asset_kinds: frozenset[str]
    counted_unearned_kinds: frozenset[str]
    exemption_flat: Decimal
    exemption_tiers: tuple[tuple[Decimal, Decimal | None, Decimal], ...]  # (from, to, share exempt)
    adult_age: int
    frequency_factors: Mapping[str, tuple[Decimal, Decimal]]
    disability_supplement: Decimal | None
    used: Mapping[str, Any]


def _keyed(value: Mapping[str, Any], keys: tuple[str, ...], name: str) -> Mapping[str, Decimal]:
    missing = [key for key in keys if key not in value]
    if missing:
        raise ParameterError(f"parameter {name!r} lacks the entries {missing}")
    return MappingProxyType({key: Decimal(value[key]) for key in keys})


def prepare(parameter_set: ParameterSet) -> IncomeSupportParameters:
    values = parameter_set
    exemption = values["income_support.earnings_exemption"]
    try:
        tiers = tuple(
            (
                Decimal(tier["from"]),
                None if tier["to"] is None else Decimal(tier["to"]),
                Decimal(tier["exempt_percent"]) / HUNDRED,
            )
            for tier in exemption["tiers"]
        )
        flat = Decimal(exemption["flat"])
    except KeyError as missing:
        raise ParameterError(f"parameter 'income_support.earnings_exemption' lacks {missing.args[0]!r}") from None
    shelter = values["income_support.shelter_maximum"]
    shelter_by_adults = "1_adult" in shelter
    supplement = values.get("income_support.disability_supplement")
    return IncomeSupportParameters(
        valid_from=parameter_set.valid_from,
        valid_until=parameter_set.valid_until,
        basic_rate=_keyed(values["income_support.basic_rate"], _RATE_KEYS, "income_support.basic_rate"),
        shelter_maximum=_keyed(
            shelter, _ADULT_KEYS if shelter_by_adults else _SIZE_KEYS, "income_support.shelter_maximum"
        ),
        shelter_by_adults=shelter_by_adults,
        liquid_asset_limit=_keyed(
            values["income_support.liquid_asset_limit"], _SIZE_KEYS, "income_support.liquid_asset_limit"
        ),
        liquid_asset_kinds=frozenset(values["income_support.liquid_asset_kinds"]),
        counted_unearned_kinds=frozenset(values["income_support.counted_unearned_kinds"]),
        exemption_flat=flat,
        exemption_tiers=tiers,
        adult_age=int(values["income_support.adult_age"]),
        frequency_factors=MappingProxyType(
            frequency_factors(values["income_support.frequency_factors"], "income_support.frequency_factors")
        ),
        disability_supplement=None if supplement is None else Decimal(supplement),
        used=MappingProxyType(parameter_set.used()),
    )


_PREPARED = PreparedCache()


def parameters_on(day: date, table: ParameterTable | None = None) -> IncomeSupportParameters:
    """The prepared parameters in force on `day` (the shipped table by default), cached."""
    table = shipped_table(PROGRAM) if table is None else table
    return _PREPARED.get(table, day, lambda: prepare(values_in_force(table, day, required=REQUIRED, optional=OPTIONAL)))


def determine(snapshot: HouseholdSnapshot, determination_date: date, table: ParameterTable | None = None) -> Outcome:
    return evaluate(snapshot, parameters_on(determination_date, table), determination_date)


def earnings_exemption(earnings: Decimal, params: IncomeSupportParameters) -> Decimal:
    """The part of a month's earnings that is not counted."""
    exempt = earnings if earnings < params.exemption_flat else params.exemption_flat
    for low, high, share in params.exemption_tiers:
        if earnings <= low:
            break
        top = earnings if high is None or earnings < high else high
        exempt += (top - low) * share
    return exempt


def shelter_maximum(adults: int, size: int, params: IncomeSupportParameters) -> tuple[Decimal, str]:
    """The most paid towards rent or mortgage, and for whom, in words."""
    table = params.shelter_maximum
    if not params.shelter_by_adults:
        return table["1_person" if size == 1 else "2_or_more_people"], f"a household of {size}"
    if adults <= 1:
        return table["1_adult"], "a household with one adult"
    each = table["each_adult_when_2_or_more"]
    return each * adults, f"{adults} adults ({format_money(each)} each)"


def _composition(adults: int, children: int) -> tuple[str, str]:
    """(basic rate key, words for the client)."""
    with_children = "_with_children" if children else ""
    kids = f" and {children} {'child' if children == 1 else 'children'}" if children else ""
    if adults == 1:
        return f"1_adult{with_children}", f"one adult{kids}"
    return f"2_adults{with_children}", f"{adults} adults{kids}"


def evaluate(snapshot: HouseholdSnapshot, params: IncomeSupportParameters, determination_date: date) -> Outcome:
    """Income Support for the month of `determination_date`, in the numbered steps of the module docstring."""
    day = check_determination_date(snapshot, determination_date)
    check_in_force(PROGRAM, params.valid_from, params.valid_until, day)
    size = len(snapshot.members)
    adults = sum(1 for member in snapshot.members if member.age_on(day) >= params.adult_age)
    criteria: list[Criterion] = []
    earnings, unearned, shelter_costs = _step1_monthly_figures(snapshot, params, day)
    has_adult = _step2_adult_applicant(params, adults, criteria)
    basic = _step3_basic_rate(params, adults, size - adults, criteria) if has_adult else ZERO
    allowance = _step3_shelter_allowance(params, adults, size, shelter_costs, criteria)
    supplement = _step3_disability_supplement(snapshot, params, day, criteria) if has_adult else ZERO
    counted = _step4_counted_income(params, earnings, unearned, criteria)
    assets_ok = _step5_liquid_assets(snapshot, params, size, criteria)
    amount = _step6_monthly_amount(
        basic + allowance + supplement, counted, bool(supplement), has_adult and assets_ok, criteria
    )
    return Outcome(
        program=PROGRAM,
        determination_date=day,
        eligible=amount > 0,
        monthly_amount=amount,
        criteria=tuple(criteria),
        parameters_used=params.used,
    )


def _step1_monthly_figures(
    snapshot: HouseholdSnapshot, params: IncomeSupportParameters, day: date
) -> tuple[Decimal, Decimal, Decimal]:
    """1. The month's earnings, counted unearned income and rent or mortgage, for the days each covers."""
    first, last, days_in_month = month_bounds(day.year, day.month)
    factors = params.frequency_factors
    earnings = unearned = ZERO
    for income in snapshot.incomes:
        kind = income.kind
        earned = kind in EARNED_KINDS
        if not earned and kind not in params.counted_unearned_kinds:
            continue
        covered = days_covered(income.start, income.end, first, last)
        if not covered:
            continue
        amount = monthly_figure(income.amount, factors[income.frequency])
        if covered != days_in_month:
            amount = amount * covered / days_in_month
        if earned:
            earnings += amount
        else:
            unearned += amount

    shelter_costs = ZERO
    for expense in snapshot.expenses:
        if expense.kind != "rent" and expense.kind != "mortgage":
            continue
        covered = days_covered(expense.start, expense.end, first, last)
        if not covered:
            continue
        amount = monthly_figure(expense.amount, factors[expense.frequency])
        shelter_costs += amount * covered / days_in_month if covered != days_in_month else amount
    return earnings, unearned, shelter_costs


def _step2_adult_applicant(params: IncomeSupportParameters, adults: int, criteria: list) -> bool:
    """2. An applicant must be an adult: someone in the household is of the adult age."""
    has_adult = adults > 0
    criteria.append(
        Criterion(
            "Adult applicant",
            Decimal(adults),
            None,
            has_adult,
            f"Someone in the household is {params.adult_age} or older, as an applicant must be."
            if has_adult
            else f"Nobody in the household is {params.adult_age} or older; an applicant must be.",
        )
    )
    return has_adult


def _step3_basic_rate(params: IncomeSupportParameters, adults: int, children: int, criteria: list) -> Decimal:
    """3. Need: the basic rate for the household's composition."""
    key, words = _composition(adults, children)
    basic = params.basic_rate[key]
    if adults > 2:
        basic += params.basic_rate["each_additional_adult"] * (adults - 2)
    criteria.append(
        Criterion("Basic rate", basic, None, True, f"The basic monthly rate for {words} is {format_money(basic)}.")
    )
    return basic


def _step3_shelter_allowance(
    params: IncomeSupportParameters, adults: int, size: int, shelter_costs: Decimal, criteria: list
) -> Decimal:
    """3. Need: rent or mortgage, up to the shelter maximum."""
    shelter_cap, whose = shelter_maximum(adults, size, params)
    allowance = shelter_costs if shelter_costs < shelter_cap else shelter_cap
    allowance = allowance.quantize(CENT, ROUND_HALF_UP)
    criteria.append(
        Criterion(
            "Shelter allowance",
            allowance,
            shelter_cap,
            True,
            f"Your rent or mortgage is {format_money(shelter_costs.quantize(CENT, ROUND_HALF_UP))} a month "
            f"and the program "
            f"pays up to {format_money(shelter_cap)} for {whose}: {format_money(allowance)}.",
        )
    )
    return allowance


def _step3_disability_supplement(
    snapshot: HouseholdSnapshot, params: IncomeSupportParameters, day: date, criteria: list
) -> Decimal:
    """3. Need: the disability supplement for each disabled adult, when the parameter is set."""
    if params.disability_supplement is None:
        return ZERO
    disabled = sum(1 for m in snapshot.members if m.disabled and m.age_on(day) >= params.adult_age)
    if not disabled:
        return ZERO
    supplement = params.disability_supplement * disabled
    whom = "one adult" if disabled == 1 else f"{disabled} adults"
    criteria.append(
        Criterion(
            "Disability supplement",
            supplement,
            None,
            True,
            f"{format_money(params.disability_supplement)} a month is added for each adult with a "
            f"disability ({whom}): {format_money(supplement)}.",
        )
    )
    return supplement


def _step4_counted_income(
    params: IncomeSupportParameters, earnings: Decimal, unearned: Decimal, criteria: list
) -> Decimal:
    """4. Counted income: earnings less the earnings exemption, plus countable unearned income."""
    exempt = earnings_exemption(earnings, params)
    if earnings:
        criteria.append(
            Criterion(
                "Earnings exemption",
                exempt.quantize(CENT, ROUND_HALF_UP),
                None,
                True,
                f"Of your household's earnings of {format_money(earnings.quantize(CENT, ROUND_HALF_UP))} a month, "
                f"{format_money(exempt.quantize(CENT, ROUND_HALF_UP))} is not counted "
                f"(the first {format_money(params.exemption_flat)}, then part of the rest).",
            )
        )
    counted = (earnings - exempt + unearned).quantize(CENT, ROUND_HALF_UP)
    criteria.append(
        Criterion(
            "Counted income",
            counted,
            None,
            True,
            f"Income counted against your needs: {format_money(counted)} a month.",
        )
    )
    return counted


def _step5_liquid_assets(
    snapshot: HouseholdSnapshot, params: IncomeSupportParameters, size: int, criteria: list
) -> bool:
    """5. Liquid assets not marked exempt within the limit for the household's size."""
    size_key = "1_person" if size == 1 else "2_or_more_people"
    liquid = ZERO
    for asset in snapshot.assets:
        if not asset.exempt and asset.kind in params.liquid_asset_kinds:
            liquid += asset.value
    asset_limit = params.liquid_asset_limit[size_key]
    assets_ok = liquid <= asset_limit
    criteria.append(
        Criterion(
            "Liquid assets",
            liquid,
            asset_limit,
            assets_ok,
            f"Your household's cash, bank accounts and investments come to {format_money(liquid)}, "
            + (
                f"within the {format_money(asset_limit)} limit."
                if assets_ok
                else f"more than the {format_money(asset_limit)} limit, so income support cannot be paid."
            ),
        )
    )
    return assets_ok


def _step6_monthly_amount(
    need: Decimal, counted: Decimal, supplement: bool, qualifies: bool, criteria: list
) -> Decimal:
    """6. Need less counted income, rounded to the cent (half up); nothing if negative or the household does not
    qualify."""
    shortfall = need - counted
    amount = shortfall if shortfall > 0 and qualifies else ZERO
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    if not qualifies:
        sentence = "No amount can be paid because the household does not meet the rules above."
    elif amount:
        sentence = (
            f"Your needs come to {format_money(need)} (basic rate, shelter"
            f"{' and disability supplement' if supplement else ''}); after your counted income of "
            f"{format_money(counted)}, income support pays {format_money(amount)} a month."
        )
    else:
        sentence = (
            f"Your counted income of {format_money(counted)} covers your needs of {format_money(need)}, "
            "so nothing is payable."
        )
    criteria.append(Criterion("Monthly amount", amount, need, amount > 0, sentence))
    return amount
