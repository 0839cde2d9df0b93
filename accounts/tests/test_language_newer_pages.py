"""The pages of appeals, coverage, reports, quality, employment and community, and the
appointment form, in the language the worker chose."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, UserFactory, case_for

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.time_machine(NOW, tick=False), pytest.mark.django_db]


def _spanish(user):
    user.language = "es"
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize(
    ("who", "url", "spanish", "english"),
    [
        ("supervisor", reverse("appeals:list"), "Apelaciones por fecha límite", "Appeals by deadline"),
        (
            "caseworker",
            reverse("coverage:special_authorizations"),
            "Solicitudes de autorización especial",
            "Special authorization requests",
        ),
        ("supervisor", reverse("reports:monthly_reports"), "Informes estadísticos mensuales", "Monthly statistical"),
        ("reviewer", reverse("quality:sample_list"), "Muestras de calidad · marzo 2026", "Quality samples"),
        ("caseworker", reverse("employment:opening_list"), "Ofertas de empleo", "Job openings"),
        ("caseworker", reverse("community:project_list"), "Proyectos patrocinados", "Sponsor projects"),
    ],
)
def test_a_worker_who_prefers_spanish_sees_the_newer_pages_in_spanish(
    client, request, north, who, url, spanish, english
):
    if who == "reviewer":
        user = UserFactory(username="reviewer", office=north, roles=["reviewer"])
    else:
        user = request.getfixturevalue(who)
    client.force_login(_spanish(user))

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert spanish in page
    assert english not in page


def test_the_appointment_form_speaks_spanish(client, caseworker, north):
    case = case_for(ClientFactory(office=north), caseworker)
    client.force_login(_spanish(caseworker))

    url = reverse("casework:appointment_book", args=[case.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Tipo de cita" in page
    assert "Entrevista obligatoria" in page
    assert "1 hora" in page
    assert "Kind of appointment" not in page
