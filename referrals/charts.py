"""The partner figures' chart, drawn by the project's one SVG renderer (core.charts), with its
summary in words for those who do not see it; the page shows the same figures as a table."""

from django.utils.safestring import SafeString

from core.charts import bar_chart

SERIES = (("sent", "sent"), ("accepted", "accepted"), ("completed", "served"))


def monthly_bars(rows, *, title: str) -> SafeString:
    """Per month with referrals sent: how many were sent, accepted, and ended with the client served."""
    bars = [(f"{row.month:%b %Y}, {label}", getattr(row, name)) for row in rows if row.sent for name, label in SERIES]
    return bar_chart(chart_id="chart-partner-months", title=title, desc=summary(rows), bars=bars)


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
