"""An HSDS schedule row as a line of opening hours a person reads, like "Monday to Friday,
9:00 am to 4:00 pm" (with an en dash between the times).

`byday` holds iCalendar day codes (RFC 5545, section 3.3.10, BYDAY: MO, TU, WE, TH, FR, SA, SU),
which is what the Open Referral HSDS schedule table uses; `opens_at` and `closes_at` are times
of day (HH:MM or HH:MM:SS). Anything else is kept as the file wrote it.
"""

from __future__ import annotations

import re

DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday"}
DAYS["SU"] = "Sunday"
ORDER = list(DAYS)
TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


def opening_hours(byday: str, opens_at: str, closes_at: str) -> str:
    """The days and times of one schedule row in words; an empty string when the row has neither."""
    days = _days(byday)
    opens, closes = _time(opens_at), _time(closes_at)
    if opens and closes:
        times = f"{opens} \N{EN DASH} {closes}"
    elif opens or closes:
        times = f"from {opens}" if opens else f"until {closes}"
    else:
        times = ""
    return ", ".join(part for part in (days, times) if part)


def _days(byday: str) -> str:
    codes = [code.strip().upper() for code in (byday or "").split(",") if code.strip()]
    if not codes:
        return ""
    if any(code not in DAYS for code in codes):
        return byday.strip()
    indexes = sorted({ORDER.index(code) for code in codes})
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[ORDER[run[0]]]} to {DAYS[ORDER[run[-1]]]}")
        else:
            parts.extend(DAYS[ORDER[index]] for index in run)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _time(text: str) -> str:
    match = TIME.fullmatch((text or "").strip())
    if match is None:
        return (text or "").strip()
    hour, minute = int(match[1]), match[2]
    if hour > 23 or int(minute) > 59:
        return text.strip()
    return f"{hour % 12 or 12}:{minute} {'am' if hour < 12 else 'pm'}"
