"""The month and day helpers the pages share (core/dates.py). No database."""

from datetime import date

import time_machine

from core.dates import add_months, day_bounds, parse_iso_date, parse_month


def test_months_are_added_across_the_turn_of_the_year():
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 1)
    assert add_months(date(2025, 12, 31), 1) == date(2026, 1, 1)
    assert add_months(date(2025, 3, 1), 12) == date(2026, 3, 1)


def test_a_typed_date_or_month_is_read_or_refused():
    assert parse_iso_date("2025-11-20") == date(2025, 11, 20)
    assert parse_iso_date("20/11/2025") is None and parse_iso_date("") is None
    assert parse_month("2025-11") == date(2025, 11, 1)
    assert parse_month("2025-13") is None and parse_month("2025-11-01") is None and parse_month(None) is None


@time_machine.travel("2025-11-20 10:00 -05:00", tick=False)
def test_the_day_bounds_cover_the_last_day_whole():
    low, high = day_bounds(date(2025, 11, 1), date(2025, 11, 30))
    assert (low.date(), high.date()) == (date(2025, 11, 1), date(2025, 12, 1))
