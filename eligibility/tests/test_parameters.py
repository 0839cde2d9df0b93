"""Dated parameters and the shipped tables: values in force, clear errors, sources. No database."""

import math
from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    MissingParameterError,
    ParameterError,
    ParameterTable,
    ParameterValue,
    Source,
    shipped_table,
    values_in_force,
)
from eligibility.rules.parameters import SHIPPED_FILES, ParameterSet, decode_value, table_from_dict

SOURCE = Source(title="test", url="n/a")


def value(name, amount, effective_from):
    return ParameterValue(name=name, value=Decimal(amount), effective_from=effective_from, source=SOURCE)


TABLE = ParameterTable(
    [
        value("limit", "100", date(2024, 10, 1)),
        value("limit", "110", date(2025, 10, 1)),
        value("rate", "30", date(2020, 1, 1)),
        value("new_rule", "5", date(2026, 1, 1)),
    ]
)


def test_values_in_force_picks_the_latest_effective_on_or_before_the_day():
    assert values_in_force(TABLE, date(2025, 9, 30), required=["limit", "rate"])["limit"] == Decimal("100")
    assert values_in_force(TABLE, date(2025, 10, 1), required=["limit", "rate"])["limit"] == Decimal("110")
    assert values_in_force(TABLE, date(2030, 1, 1))["limit"] == Decimal("110")


def test_a_parameter_with_no_value_yet_is_named_with_the_date():
    with pytest.raises(MissingParameterError) as error:
        values_in_force(TABLE, date(2025, 12, 31))

    assert error.value.name == "new_rule"
    assert error.value.day == date(2025, 12, 31)
    assert str(error.value) == (
        "Missing parameter 'new_rule' for 2025-12-31: the earliest value takes effect on 2026-01-01"
    )
    assert isinstance(error.value, ValueError)


def test_an_unknown_parameter_is_named():
    with pytest.raises(MissingParameterError, match="Missing parameter 'nope' for 2025-01-01: the table has no value"):
        values_in_force(TABLE, date(2025, 1, 1), required=["nope"])


def test_optional_parameters_are_taken_when_in_force():
    early = values_in_force(TABLE, date(2025, 12, 31), required=["limit"], optional=["new_rule"])
    late = values_in_force(TABLE, date(2026, 1, 1), required=["limit"], optional=["new_rule"])

    assert "new_rule" not in early and late["new_rule"] == Decimal("5")
    with pytest.raises(MissingParameterError, match="'new_rule' for 2025-12-31: no value is in force"):
        early["new_rule"]


def test_the_span_the_values_hold_for():
    chosen = values_in_force(TABLE, date(2025, 3, 1), required=["limit", "rate"], optional=["new_rule"])

    assert chosen.valid_from == date(2024, 10, 1)
    assert chosen.valid_until == date(2025, 9, 30)  # the next limit takes effect on 2025-10-01


def test_a_value_still_to_be_set_raises_when_read():
    table = ParameterTable(
        [
            ParameterValue(
                name="sua",
                value=None,
                effective_from=date(2024, 10, 1),
                source=SOURCE,
                note="Set by the state: enter it",
            )
        ]
    )
    chosen = values_in_force(table, date(2025, 1, 1))

    assert chosen.get("sua") is None
    with pytest.raises(MissingParameterError, match=r"'sua' for 2025-01-01: Set by the state: enter it"):
        chosen["sua"]


def test_two_values_on_the_same_date_are_refused():
    with pytest.raises(ParameterError, match="two values effective from 2024-10-01"):
        ParameterTable([value("limit", "1", date(2024, 10, 1)), value("limit", "2", date(2024, 10, 1))])


def test_json_numbers_are_refused_and_numeric_strings_become_decimals():
    assert decode_value({"a": "198.99", "b": ["x", "2"]}) == {"a": Decimal("198.99"), "b": ("x", Decimal("2"))}
    with pytest.raises(ParameterError, match="write amounts as strings"):
        decode_value({"cap": 744.0}, "snap.excess_shelter_cap")
    with pytest.raises(ParameterError, match="malformed"):
        table_from_dict({"parameters": [{"name": "x", "value": "1"}]})


def test_recorded_values_rebuild_the_same_set():
    chosen = values_in_force(shipped_table("snap"), date(2025, 10, 1))
    again = ParameterSet.from_used(chosen.used(), date(2025, 10, 1))

    assert again.used() == chosen.used()
    assert again["snap.homeless_shelter_deduction"] == Decimal("198.99")


@pytest.mark.parametrize("program", sorted(SHIPPED_FILES))
def test_every_shipped_value_has_a_source_and_a_date(program):
    table = shipped_table(program)

    assert len(table) > 0
    for entry in table:
        assert entry.source.title and entry.source.url, entry.name
        assert entry.effective_from >= date(2023, 1, 1), entry.name
        assert entry.name.startswith(program + "."), entry.name
        if entry.example:
            assert "EXAMPLE" in entry.note or "EXAMPLE" in entry.source.title or "assumption" in entry.note


@pytest.mark.parametrize("program", sorted(SHIPPED_FILES))
def test_every_shipped_source_fits_the_columns_it_is_loaded_into(program):
    # SQLite does not enforce a column's length; PostgreSQL refuses the load.
    from eligibility.models import ParameterValue as Row

    title_max = Row._meta.get_field("source_title").max_length
    url_max = Row._meta.get_field("source_url").max_length
    for entry in shipped_table(program):
        assert len(entry.source.title) <= title_max, (entry.name, entry.effective_from, len(entry.source.title))
        assert len(entry.source.url) <= url_max, (entry.name, entry.effective_from)
        assert len(entry.name) <= Row._meta.get_field("name").max_length, entry.name


def _limit(annual_first: int, annual_each: int, size: int, percent: int) -> int:
    """7 CFR 273.9(a)(3): percent of the poverty guideline, divided by 12, rounded up."""
    return math.ceil((annual_first + annual_each * (size - 1)) * percent / 100 / 12)


@pytest.mark.parametrize(
    ("effective", "first", "each"),
    [
        (date(2024, 10, 1), 15060, 5380),  # FY 2025 uses the 2024 HHS poverty guidelines
        (date(2025, 10, 1), 15650, 5500),  # FY 2026 uses the 2025 guidelines
    ],
)
def test_shipped_snap_income_limits_follow_the_poverty_guidelines(effective, first, each):
    chosen = values_in_force(shipped_table("snap"), effective)

    for name, percent in (("snap.gross_income_limit", 130), ("snap.net_income_limit", 100)):
        table = chosen[name]
        for size in range(1, 9):
            assert table[str(size)] == _limit(first, each, size, percent), (name, size)
        assert table["each_additional"] == math.ceil(each * percent / 100 / 12), name


@pytest.mark.parametrize(("effective", "one_person"), [(date(2024, 10, 1), 292), (date(2025, 10, 1), 298)])
def test_shipped_minimum_benefit_is_8_percent_of_the_one_person_maximum(effective, one_person):
    chosen = values_in_force(shipped_table("snap"), effective)

    assert chosen["snap.maximum_allotment"]["1"] == one_person
    assert chosen["snap.minimum_benefit"] == round(Decimal("0.08") * one_person)
