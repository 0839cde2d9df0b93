"""A dashboard's tables as CSV and as an Excel workbook (one sheet per figure), and the monthly
report's files.

Every heading is written in the language active when the file is made: a dashboard's export in the
reader's language; a monthly report's files in the reader's language too, the files kept on the day
served as they are to a reader of the language they were made in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from django.template.loader import render_to_string
from django.utils.translation import get_language
from openpyxl import Workbook

from core.pdf import html_to_pdf
from reports.figures import Figure, figures_from_stored, kept_as_numbers
from reports.models import MonthlyReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figures_csv(figures: Sequence[Figure]) -> str:
    """Each figure's table under its title, a blank line between figures."""
    out = io.StringIO()
    writer = csv.writer(out)
    for figure in figures:
        writer.writerow([figure.title])
        writer.writerow(figure.columns)
        writer.writerows(figure.rows)
        writer.writerow([])
    return out.getvalue()


def figures_xlsx(figures: Sequence[Figure]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for figure in figures:
        # A sheet's name is at most 31 characters and may not hold []:*?/\ (Excel's limits).
        sheet = book.create_sheet(figure.key[:31])
        sheet.append([figure.title])
        sheet.append(figure.columns)
        for row in figure.rows:
            sheet.append([str(v) if not isinstance(v, int | float) else v for v in row])
        sheet.append([])
        sheet.append([figure.summary])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figures_pdf(*, month: date, figures: Sequence[Figure]) -> bytes:
    """The monthly report as a tagged PDF, its words in the active language."""
    return html_to_pdf(render_to_string("reports/monthly_report_pdf.html", {"month": month, "figures": figures}))


def _kept_file_serves(report: MonthlyReport) -> bool:
    """Whether the file made on the day serves the reader: it is in their language, or its figures were
    kept as words (a report made before they were kept as numbers), which only that file can show."""
    same = (get_language() or "").split("-")[0] == report.language.split("-")[0]
    return same or not all(kept_as_numbers(entry) for entry in report.figures)


def monthly_report_csv(report: MonthlyReport) -> str:
    """The report's tables as CSV in the reader's language, with the figures kept on the day."""
    if _kept_file_serves(report):
        return report.csv
    return figures_csv(figures_from_stored(report.figures))


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """The report as PDF in the reader's language, with the figures kept on the day."""
    if _kept_file_serves(report):
        return bytes(report.pdf)
    return figures_pdf(month=report.month, figures=figures_from_stored(report.figures))
