"""Charts drawn on the server as SVG (no script: the CSP allows none inline), each beside its table.

The SVG is built from numbers only, and every text in it is escaped."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 40, 30, 10
SERIES = (("sent", "Sent", "#0d6efd"), ("accepted", "Accepted", "#198754"), ("completed", "Served", "#6f42c1"))


def monthly_bars(rows, *, title: str) -> SafeString:
    """Grouped bars per month: referrals sent, accepted, and ending with the client served."""
    peak = max([getattr(row, name) for row in rows for name, _l, _c in SERIES] + [1])
    slot = (WIDTH - LEFT) / max(len(rows), 1)
    bar = max(slot / (len(SERIES) + 1), 1)
    plot = HEIGHT - BOTTOM - TOP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" class="img-fluid"><title id="chart-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot}" x2="{WIDTH}" y2="{TOP + plot}" stroke="#6c757d"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" font-size="10">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot}" text-anchor="end" font-size="10">0</text>',
    ]
    for i, row in enumerate(rows):
        x0 = LEFT + i * slot + bar / 2
        for j, (name, label, colour) in enumerate(SERIES):
            value = getattr(row, name)
            h = plot * value / peak
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{TOP + plot - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(label)} {row.month:%Y-%m}: {value}</title></rect>'
            )
        parts.append(
            f'<text x="{x0 + bar * len(SERIES) / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
            f'font-size="10">{row.month:%m/%y}</text>'
        )
    for j, (_name, label, colour) in enumerate(SERIES):
        parts.append(f'<rect x="{LEFT + j * 90}" y="{HEIGHT - 8}" width="8" height="8" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + j * 90 + 12}" y="{HEIGHT}" font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers, and text escaped above


def summary(rows) -> str:
    """The chart in one sentence, for those who do not see it."""
    sent = sum(r.sent for r in rows)
    if not sent:
        return "No referrals were sent in these months."
    accepted = sum(r.accepted for r in rows)
    served = sum(r.completed for r in rows)
    known = served + sum(r.not_completed for r in rows)
    busiest = max(rows, key=lambda r: r.sent)
    served_text = f"{served} of {known} with a known outcome were served" if known else "no outcome is known yet"
    return (
        f"{sent} referrals were sent, {accepted} accepted; {served_text}. "
        f"The busiest month was {busiest.month:%B %Y} with {busiest.sent}."
    )
