"""Charts drawn on the server as SVG a screen reader can read.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words what the
bars show (WAI-ARIA `img` role; SVG 1.1 §5.4 title and desc), and the page always shows the
same figures as a table beside it: the chart is for the eye, the table is the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 200


def bar_chart(*, chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, Decimal | int]]) -> SafeString:
    """Horizontal bars, one per (label, value); negative values are drawn as zero."""
    top = max([Decimal(v) for _, v in bars] + [Decimal(1)])
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 80

    def bar(index: int, label: str, value) -> tuple:
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = int(span * max(Decimal(value), Decimal(0)) / top)
        return (y + 15, label, LABEL_WIDTH, y, length, BAR_HEIGHT, LABEL_WIDTH + length + 4, y + 15, value)

    rows = format_html_join(
        "",
        '<text x="4" y="{}" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#2b6cb0"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        (bar(i, label, value) for i, (label, value) in enumerate(bars)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" class="report-chart" id="{0}">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>{5}</svg>',
        chart_id,
        WIDTH,
        max(height, 30),
        title,
        desc,
        rows,
    )
