"""SNAP expedited service: the screening at application (7 CFR 273.2(i)).

A household is entitled to expedited service, its benefits no later than the 7th calendar day
after it applied (273.2(i)(3)(i)) instead of the 30th (273.2(g)(1)), when any of these holds
(273.2(i)(1)):

- (i) its gross monthly income is less than $150 and its liquid resources do not exceed $100;
- (ii) it is a destitute migrant or seasonal farmworker household whose liquid resources do not
  exceed $100;
- (iii) its combined gross monthly income and liquid resources are less than its monthly rent or
  mortgage and utilities.

Plain functions, no Django: the screening is decided here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import format_money

INCOME_BELOW = Decimal("150.00")  # 273.2(i)(1)(i)
RESOURCES_AT_MOST = Decimal("100.00")  # 273.2(i)(1)(i) and (ii)
#: Days from the application to the benefits: 7 for expedited service, 30 otherwise.
EXPEDITED_DAYS = 7  # 273.2(i)(3)(i)
NORMAL_DAYS = 30  # 273.2(g)(1)


@dataclass(frozen=True)
class Screening:
    expedited: bool
    explanation: str


def expedited_screening(
    *,
    gross_monthly_income: Decimal,
    liquid_resources: Decimal,
    shelter_costs: Decimal,
    utility_costs: Decimal,
    destitute_migrant: bool = False,
) -> Screening:
    """Whether the household is entitled to expedited service (7 CFR 273.2(i)(1)), and why in one line."""
    for name, value in (
        ("gross monthly income", gross_monthly_income),
        ("liquid resources", liquid_resources),
        ("rent or mortgage", shelter_costs),
        ("utilities", utility_costs),
    ):
        if value < 0:
            raise ValueError(f"The {name} cannot be negative.")
    housing = shelter_costs + utility_costs
    if gross_monthly_income < INCOME_BELOW and liquid_resources <= RESOURCES_AT_MOST:
        return Screening(
            True,
            f"Gross monthly income {format_money(gross_monthly_income)} is under {format_money(INCOME_BELOW)} and "
            f"liquid resources {format_money(liquid_resources)} are at most {format_money(RESOURCES_AT_MOST)} "
            "(7 CFR 273.2(i)(1)(i)).",
        )
    if destitute_migrant and liquid_resources <= RESOURCES_AT_MOST:
        return Screening(
            True,
            f"A destitute migrant or seasonal farmworker household with liquid resources of "
            f"{format_money(liquid_resources)}, at most {format_money(RESOURCES_AT_MOST)} (7 CFR 273.2(i)(1)(ii)).",
        )
    if gross_monthly_income + liquid_resources < housing:
        return Screening(
            True,
            f"Gross monthly income and liquid resources ({format_money(gross_monthly_income + liquid_resources)}) "
            f"are less than rent or mortgage and utilities ({format_money(housing)}) (7 CFR 273.2(i)(1)(iii)).",
        )
    return Screening(
        False,
        "Not entitled to expedited service: income, resources and housing costs meet none of the tests of "
        "7 CFR 273.2(i)(1); the application is decided within 30 days.",
    )


def decision_days(*, expedited: bool | None) -> int:
    """Days from the application by which it is decided: 7 when screened expedited, 30 otherwise."""
    return EXPEDITED_DAYS if expedited else NORMAL_DAYS
