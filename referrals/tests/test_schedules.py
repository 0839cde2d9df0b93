"""Opening hours from an HSDS schedule row, as a person reads them."""

import pytest

from referrals.hsds.schedules import opening_hours


@pytest.mark.parametrize(
    ("byday", "opens", "closes", "shown"),
    [
        ("MO,TU,WE,TH,FR", "09:00", "16:00", "Monday to Friday, 9:00 am \N{EN DASH} 4:00 pm"),
        ("SA", "10:00", "13:00", "Saturday, 10:00 am \N{EN DASH} 1:00 pm"),
        ("MO,WE,FR", "08:30:00", "12:00:00", "Monday, Wednesday and Friday, 8:30 am \N{EN DASH} 12:00 pm"),
        ("mo, tu", "00:00", "23:59", "Monday and Tuesday, 12:00 am \N{EN DASH} 11:59 pm"),
        ("MO,TU,WE,FR,SA", "09:00", "", "Monday to Wednesday, Friday and Saturday, from 9:00 am"),
        ("SU", "", "17:00", "Sunday, until 5:00 pm"),
        ("", "09:00", "17:00", "9:00 am \N{EN DASH} 5:00 pm"),
        ("TH", "", "", "Thursday"),
        ("", "", "", ""),
        ("1MO", "late", "", "1MO, from late"),
    ],
)
def test_a_schedule_row_reads_as_words(byday, opens, closes, shown):
    assert opening_hours(byday, opens, closes) == shown
