"""Groupings of the registry's kinds that rules elsewhere rely on. Plain Python (no Django), so the
eligibility rules import them as they are tested: alone."""

#: Expense kinds that are utilities, in the order the expense form lists them. `utilities` (rows
#: recorded before utilities were kept by kind) stands for utilities that include heating or cooling.
UTILITY_KINDS = ("heating_cooling", "electricity", "gas_fuel", "water", "sewer", "trash", "telephone", "utilities")
#: The one a worker no longer chooses: a row keeps it until they name the utility.
OLD_UTILITIES = "utilities"
