"""The dashboards, their exports and the monthly reports in the reader's language, with the same numbers.

A figure's words are written when it is shown, in the language of whoever reads it; a monthly report
keeps its numbers, so one made while English was active reads in Spanish to a Spanish reader.
"""

import csv
import importlib
import io
import re
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from reports.figures import figures_from_stored
from reports.models import MonthlyReport
from reports.services import monthly_report_make
from reports.tests.test_dashboards import RANGE, _rows

pytestmark = pytest.mark.django_db

TEXTS = {
    "es": {
        "title": "Carga de casos por trabajador frente al límite",
        "summary": "8 casos activos entre 1 trabajador; 0 por encima de la carga máxima de casos; "
        "0 revisiones vencidas.",
        "columns": ["Trabajador", "Casos activos", "Recomendado", "Máximo", "Revisiones pendientes"],
        "tab": "Cargas de casos y plazos",
        "waiting": "2 solicitudes en espera de un supervisor",
    },
    "fr": {
        "title": "Charge de dossiers par intervenant par rapport au plafond",
        # French counts 0 in the singular: "0 révision".
        "summary": "8 dossiers actifs pour 1 intervenant ; 0 au-delà de la charge maximale de dossiers ; "
        "0 révision en retard.",
        "columns": ["Intervenant", "Dossiers actifs", "Recommandé", "Maximum", "Révisions à faire"],
        "tab": "Charges de dossiers et délais",
        "waiting": "2 demandes en attente d\u2019un superviseur",
    },
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-11-20 10:00 -05:00", tick=False):
        yield


def _speaks(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _chart_text(html: str, key: str) -> tuple[str, str]:
    """The chart's title and description, as a screen reader reads them."""
    title = re.search(rf'<title id="chart-{key}-title">(.*?)</title>', html).group(1)
    desc = re.search(rf'<desc id="chart-{key}-desc">(.*?)</desc>', html).group(1)
    return title, desc


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_supervisor_reads_the_dashboard_s_figures_and_chart_summary_in_their_language(
    client, caseworker, supervisor, language
):
    _rows(caseworker, 4)
    client.force_login(_speaks(supervisor, language))
    texts = TEXTS[language]

    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'<h2 class="h5" id="h-caseload">{texts["title"]}</h2>' in html
    assert _chart_text(html, "caseload") == (texts["title"], texts["summary"])
    assert f'<p class="figure-summary">{texts["summary"]}</p>' in html
    table = html[html.index('id="table-caseload"') :]
    assert "".join(f'<th scope="col">{c}</th>' for c in texts["columns"]) in table
    assert texts["tab"] in html
    assert "Caseload per worker against the limit" not in html
    assert "active cases among" not in html

    money = client.get(reverse("reports:dashboard_page", args=["team", "money"]), RANGE).content.decode()
    assert texts["waiting"] in money
    assert "waiting for a supervisor" not in money


def test_late_applications_are_listed_in_the_reader_s_language(client, caseworker, supervisor):
    from eligibility.models import Program
    from eligibility.services import enrollment_apply
    from eligibility.tests.helpers import single_earner
    from tests.factories import case_for

    snap = Program.objects.get(code="snap")
    for applied in (date(2025, 10, 20), date(2025, 10, 22)):
        enrollment_apply(
            acting_user=caseworker,
            case=case_for(single_earner(caseworker.office), caseworker),
            program=snap,
            application_date=applied,
        )
    client.force_login(_speaks(supervisor, "es"))

    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()

    listing = html[html.index('id="late-applications"') : html.index("</table>", html.index('id="late-applications"'))]
    assert "<td>2025-10-20</td><td>2025-11-19</td><td>tarde</td>" in listing
    assert "<td>2025-10-22</td><td>2025-11-21</td><td>casi tarde</td>" in listing
    assert (
        "2 solicitudes de SNAP presentadas en el periodo; decididas a tiempo: aún sin decisión; 1 tarde, 1 casi tarde;"
        in html
    )


def test_dashboard_exports_are_headed_in_the_reader_s_language(client, caseworker, supervisor):
    """The CSV and the workbook follow the reader's language; a sheet's name is the figure's key, the
    same in every language, so a workbook opened by a macro or a formula finds its sheets."""
    _rows(caseworker, 2)
    client.force_login(_speaks(supervisor, "es"))

    response = client.get(reverse("reports:dashboard_download", args=["team", "casework", "csv"]), RANGE)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Carga de casos por trabajador frente al límite"] in rows
    assert rows[rows.index(["Carga de casos por trabajador frente al límite"]) + 1][:2] == [
        "Trabajador",
        "Casos activos",
    ]
    assert ["Caseload per worker against the limit"] not in rows

    response = client.get(reverse("reports:dashboard_download", args=["team", "casework", "xlsx"]), RANGE)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["caseload"]
    assert sheet["A1"].value == "Carga de casos por trabajador frente al límite"
    assert [c.value for c in sheet[2]][:2] == ["Trabajador", "Casos activos"]
    assert any(str(c.value).startswith("4 casos activos entre 1 trabajador") for c in sheet["A"])


def _report_made_in_english(caseworker) -> MonthlyReport:
    """November 2025's report with one case opened, made by the job (no reader: the default language)."""
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    return monthly_report_make(month=date(2025, 11, 1))


def test_a_monthly_report_made_in_english_reads_in_spanish_with_the_same_figures(client, caseworker, supervisor):
    report = _report_made_in_english(caseworker)
    assert report.language.startswith("en")
    assert "Cases opened and closed" in report.csv

    client.force_login(_speaks(supervisor, "es"))
    html = client.get(reverse("reports:monthly_report", args=["2025-11"])).content.decode()

    assert '<h1 class="h3">Informe estadístico, noviembre 2025</h1>' in html
    assert "<caption>Casos abiertos y cerrados. 1 caso abierto y 0 cerrados.</caption>" in html
    assert '<th scope="row">Abiertos</th><td>1</td>' in html
    assert '<th scope="row">Cerrados</th><td>0</td>' in html
    assert "Solicitudes de SNAP decididas a tiempo" in html
    assert '<th scope="row">A tiempo</th><td>0</td>' in html
    assert "Cases opened and closed" not in html

    spanish_csv = client.get(reverse("reports:monthly_report_file", args=["2025-11", "csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(spanish_csv)))
    assert rows[:4] == [["Casos abiertos y cerrados"], ["Cifra", "Casos"], ["Abiertos", "1"], ["Cerrados", "0"]]
    spanish_pdf = client.get(reverse("reports:monthly_report_file", args=["2025-11", "pdf"])).content
    assert spanish_pdf.startswith(b"%PDF") and spanish_pdf != bytes(report.pdf)

    # A reader of the language it was made in gets the files kept on the day, as they were.
    client.force_login(_speaks(supervisor, ""))
    assert client.get(reverse("reports:monthly_report_file", args=["2025-11", "csv"])).content.decode() == report.csv
    assert client.get(reverse("reports:monthly_report_file", args=["2025-11", "pdf"])).content == bytes(report.pdf)
    english = client.get(reverse("reports:monthly_report", args=["2025-11"])).content.decode()
    assert "<caption>Cases opened and closed. 1 case opened and 0 closed.</caption>" in english


#: A report as kept before its figures were kept as numbers: each figure's words, in English.
OLD_FIGURES = [
    {
        "title": "Cases opened and closed",
        "columns": ["Figure", "Cases"],
        "rows": [["Opened", 3], ["Closed", 2]],
        "summary": "3 cases opened and 2 closed.",
    },
    {
        "title": "Clients served by program (paid in the month)",
        "columns": ["Program", "Clients"],
        "rows": [["Income Support", 4], ["SNAP", 1]],
        "summary": "5 clients paid across 2 programs.",
    },
    {
        "title": "Assistance by kind",
        "columns": ["Kind", "Amount"],
        "rows": [["Emergency funds", "$1,100.00"], ["Food voucher", "$50.00"]],
        "summary": "$1,150.00 issued.",
    },
    {
        "title": "SNAP applications decided in time (30 days, 7 CFR 273.2(g); 7 days if expedited, 273.2(i))",
        "columns": ["Outcome", "Applications"],
        "rows": [["In time", 5], ["Late", 1], ["Waiting, not yet late", 2], ["Waiting, past the deadline", 1]],
        "summary": "9 SNAP applications made in the range; decided in time: 83.3%; 2 late, 1 nearly late; "
        "3 screened for expedited service (7 days).",
    },
    {"title": "A figure no longer made", "columns": ["What", "How many"], "rows": [["Things", 7]], "summary": "7."},
]


def test_a_report_kept_as_words_becomes_numbers_and_reads_in_spanish(client, supervisor):
    migration = importlib.import_module("reports.migrations.0003_monthly_report_figures_as_numbers")
    report = MonthlyReport.objects.create(
        month=date(2025, 6, 1), figures=OLD_FIGURES, csv="Cases opened and closed\n", pdf=b"%PDF-kept"
    )

    migration.forwards(apps, None)

    report.refresh_from_db()
    assert report.figures[:4] == [
        {"key": "cases", "data": {"opened": 3, "closed": 2}},
        {"key": "served", "data": {"programs": [["Income Support", 4], ["SNAP", 1]]}},
        {"key": "assistance", "data": {"kinds": [["emergency", "1100.00"], ["food_voucher", "50.00"]]}},
        {
            "key": "timeliness",
            "data": {
                "counts": {"in_time": 5, "late": 1, "waiting": 2, "overdue": 1},
                "late": 2,
                "nearly_late": 1,
                "expedited": 3,
            },
        },
    ]
    assert report.figures[4] == OLD_FIGURES[4]  # not recognised: kept as written

    english = figures_from_stored(report.figures)
    assert [f.summary for f in english] == [f["summary"] for f in OLD_FIGURES]  # the same words as on the day

    client.force_login(_speaks(supervisor, "es"))
    html = client.get(reverse("reports:monthly_report", args=["2025-06"])).content.decode()
    assert "<caption>Casos abiertos y cerrados. 3 casos abiertos y 2 cerrados.</caption>" in html
    assert '<th scope="row">Fondos de emergencia</th><td>$1,100.00</td>' in html
    assert "9 solicitudes de SNAP presentadas en el periodo; decididas a tiempo: 83.3%; 2 tarde, 1 casi tarde;" in html
    assert "<caption>A figure no longer made. 7.</caption>" in html  # shown as it was made
    # Only the file kept on the day holds the figure kept as words: it is served as it is.
    assert client.get(reverse("reports:monthly_report_file", args=["2025-06", "pdf"])).content == b"%PDF-kept"
