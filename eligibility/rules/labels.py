"""What each rule parameter is called where a person reads it (notices, the determination page).

One entry per parameter name: a plain name and the citation of the rule that sets or
requires it, taken from the parameter's source and note in `data/*.json`. An empty citation
marks an agency working assumption with no rule of its own; the notice still lists the
parameter under its source.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # SNAP: 7 CFR part 273 (and 271.2 for definitions).
    "snap.gross_income_limit": ("Gross monthly income limit", "7 CFR 273.9(a)(1)"),
    "snap.net_income_limit": ("Net monthly income limit", "7 CFR 273.9(a)(2)"),
    "snap.maximum_allotment": ("Maximum monthly benefit", "7 CFR 273.10(e)(4)"),
    "snap.minimum_benefit": ("Minimum monthly benefit", "7 CFR 273.10(e)(2)(ii)(C)"),
    "snap.standard_deduction": ("Standard deduction", "7 CFR 273.9(d)(1)"),
    "snap.excess_shelter_cap": ("Cap on the shelter deduction", "7 CFR 273.9(d)(6)(ii)"),
    "snap.homeless_shelter_deduction": ("Homeless shelter deduction", "7 CFR 273.9(d)(6)(i)"),
    "snap.asset_limit": ("Resource limit", "7 CFR 273.8(b)"),
    "snap.asset_limit_elderly_disabled": (
        "Resource limit for a household with an elderly or disabled member",
        "7 CFR 273.8(b)",
    ),
    "snap.earned_income_deduction_percent": ("Earned income deduction", "7 CFR 273.9(d)(2)"),
    "snap.benefit_reduction_percent": (
        "Share of net income taken off the maximum benefit",
        "7 CFR 273.10(e)(2)(ii)(A)",
    ),
    "snap.medical_expense_disregard": ("Medical costs not deducted", "7 CFR 273.9(d)(3)"),
    "snap.shelter_income_share_percent": ("Share of income expected to go to shelter", "7 CFR 273.9(d)(6)(ii)"),
    "snap.elderly_age": ("Age from which a member counts as elderly", "7 CFR 271.2"),
    "snap.initial_month_minimum_issuance": ("Smallest benefit paid for a first month", "7 CFR 273.10(a)(1)(ii)"),
    "snap.frequency_factors": ("Turning weekly and other pay into monthly amounts", "7 CFR 273.10(c)(2)(i)"),
    "snap.standard_utility_allowance": ("Standard utility allowance (heating or cooling)", "7 CFR 273.9(d)(6)(iii)"),
    "snap.limited_utility_allowance": ("Limited utility allowance (two or more utilities)", "7 CFR 273.9(d)(6)(iii)"),
    "snap.telephone_utility_allowance": ("Telephone allowance", "7 CFR 273.9(d)(6)(iii)"),
    "snap.individual_utility_allowances": ("Allowances for a single utility", "7 CFR 273.9(d)(6)(iii)"),
    "snap.broad_based_categorical_eligibility": ("Broad-based categorical eligibility", "7 CFR 273.2(j)(2)"),
    "snap.poverty_guidelines": ("Federal poverty guidelines", "7 CFR 273.9(a)(3)"),
    # Income Support: Income and Employment Support Regulations, NLR 144/04, and the program's pages.
    "income_support.basic_rate": ("Monthly basic benefit", "NLR 144/04"),
    "income_support.shelter_maximum": ("Most paid towards rent or mortgage", "NLR 144/04, s. 16"),
    "income_support.disability_supplement": ("Added for each adult with a disability", "Personal Care Allowance"),
    "income_support.liquid_asset_limit": ("Limit on cash, bank accounts and investments", "NLR 144/04, s. 26"),
    "income_support.liquid_asset_kinds": ("Assets counted as cash and savings", "NLR 144/04, s. 26"),
    "income_support.counted_unearned_kinds": ("Income other than earnings that is counted", "NLR 144/04"),
    "income_support.earnings_exemption": ("Earnings you keep", "Income Support: Moving into the Workforce"),
    "income_support.adult_age": ("Age of an adult applicant", "Income Support: Program Overview"),
    "income_support.frequency_factors": ("Turning weekly and other pay into monthly amounts", ""),
    # Prescription Drug Assistance: the NLPDP Access Plan.
    "drug_assistance.copay_bands": ("Co-pay by income", "NLPDP Access Plan"),
    "drug_assistance.counted_income_kinds": ("Kinds of income counted", "NLPDP Access Plan"),
    "drug_assistance.adult_age": ("Age from which a member counts as an adult", "NLPDP Access Plan"),
    "drug_assistance.projection_months": ("Months of income looked at", ""),
    "drug_assistance.frequency_factors": ("Turning weekly and other pay into monthly amounts", ""),
}


def parameter_label(name: str) -> str:
    """The plain name of a parameter with its citation: "Resource limit (7 CFR 273.8(b))".

    A name added since (by an administrator) still reads as words, never as its key.
    """
    plain, citation = LABELS.get(name, (name.rpartition(".")[2].replace("_", " ").capitalize(), ""))
    return f"{plain} ({citation})" if citation else plain
