"""A worker's appointments as an iCalendar feed (RFC 5545), written by hand: a few properties.

Calendar applications keep what they fetch on phones and in the cloud, so an event names the
kind of appointment and the case number and nothing else: no client name, place or phone.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from casework.models import Appointment

PRODID = "-//Casework//Appointments//EN"


def _escape(text: str) -> str:
    # RFC 5545 3.3.11: backslash, semicolon, comma and newline are escaped in TEXT values.
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets are folded, the continuation starting with a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def appointment_summary(appointment: Appointment) -> str:
    return f"{appointment.get_kind_display()} · case {appointment.case.number}"


def calendar_feed(appointments: Iterable[Appointment], *, name: str, host: str, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for appointment in appointments:
        cancelled = appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED)
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{appointment.pk}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(appointment.starts_at)}",
            f"DTEND:{_utc(appointment.ends_at)}",
            f"SUMMARY:{_escape(appointment_summary(appointment))}",
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
