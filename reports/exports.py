"""A dashboard's tables as CSV and as an Excel workbook (one sheet per figure)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from reports.selectors import Figure

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
