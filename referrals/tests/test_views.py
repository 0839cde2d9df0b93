"""The referral and directory pages: who gets what, what each page does, and what it costs.

Personas (conftest.py) plus `peer`, a North caseworker who does not work the case (they
see it because the office shares its unrestricted cases), and `admin_with_grant`, the admin
after break-glass on the case's client. A referral is seen by whoever may see its case
and its client; the directory by every signed-in staff member.
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients import services as client_services
from referrals.models import Referral
from referrals.services import referral_move
from referrals.tests.helpers import SAMPLE, consent_for, make_service, refer
from tests.factories import ClientFactory, MembershipFactory, OfficeFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db
S = Referral.Status
GOOD_REASON = "Court subpoena 2025-CV-0113, requested by legal counsel"
PERSONAS = ["caseworker", "supervisor", "peer", "other_caseworker", "admin", "admin_with_grant", "auditor"]


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def people(personas, peer) -> dict:
    return {**personas, "peer": peer, "admin_with_grant": personas["admin"]}


@pytest.fixture
def pantry():
    return make_service("Emergency food pantry", organization="Riverton Food Bank")


@pytest.fixture
def referral(north, caseworker, pantry):
    client = ClientFactory(office=north, first_name="Ottoline", last_name="Northcott")
    case = case_for(client, caseworker)
    consent_for(client, caseworker)
    return refer(caseworker, case, pantry, shared=["contact"])


def sign_in(client, people, persona: str, referral: Referral) -> None:
    user = people[persona]
    if persona == "admin_with_grant":
        client_services.break_glass_open(acting_user=user, client=referral.client, reason=GOOD_REASON)
    client.force_login(user)


# Who gets what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: Callable = lambda r: {}
    params: Callable = lambda r: {}
    method: str = "get"

    def __str__(self) -> str:
        return self.name


def table(caseworker, supervisor, peer, other_caseworker, admin, admin_with_grant, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, (caseworker, supervisor, peer, other_caseworker, admin, admin_with_grant, auditor),
                    strict=True))  # fmt: skip


CASE = {"case": None}
ACCESS: list[tuple[Url, dict[str, int]]] = [
    #                                                                  worker sup peer other admin +grant auditor
    (Url("referrals:case_referrals", lambda r: {"pk": r.case_id}), table(200, 200, 200, 404, 404, 200, 404)),
    (Url("referrals:referral_new", params=lambda r: {"case": r.case_id, "service": r.service_id}),
     table(200, 200, 200, 404, 403, 403, 403)),
    (Url("referrals:referral_detail", lambda r: {"pk": r.pk}), table(200, 200, 200, 404, 404, 200, 404)),
    (Url("referrals:referral_move", lambda r: {"pk": r.pk}, lambda r: {"to": "accepted"}, "post"),
     table(302, 302, 302, 404, 403, 403, 403)),
    (Url("referrals:referral_letter", lambda r: {"pk": r.pk}), table(200, 200, 200, 404, 403, 403, 403)),
    (Url("referrals:follow_up"), table(200, 200, 200, 200, 403, 403, 403)),
    (Url("referrals:figures"), table(403, 200, 403, 403, 200, 200, 200)),
    (Url("referrals:directory"), table(200, 200, 200, 200, 200, 200, 200)),
    (Url("referrals:directory", params=lambda r: {"case": r.case_id}), table(200, 200, 200, 404, 200, 200, 200)),
    (Url("referrals:service_detail", lambda r: {"pk": r.service_id}), table(200, 200, 200, 200, 200, 200, 200)),
    (Url("referrals:directory_import"), table(403, 403, 403, 403, 200, 200, 403)),
    (Url("referrals:directory_export"), table(403, 403, 403, 403, 200, 200, 403)),
]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), ACCESS, ids=[f"{u}{'?case' if u.params else ''}" for u, _ in ACCESS])
def test_each_persona_gets_what_the_access_rule_says(client, people, referral, persona, url, expected):
    sign_in(client, people, persona, referral)
    path = reverse(url.name, kwargs=url.kwargs(referral))
    response = getattr(client, url.method)(path, url.params(referral))
    assert response.status_code == expected[persona]


@pytest.mark.parametrize(("url", "_"), ACCESS, ids=[str(u) for u, _ in ACCESS])
def test_a_stranger_is_sent_to_sign_in(client, referral, url, _):
    response = getattr(client, url.method)(reverse(url.name, kwargs=url.kwargs(referral)), url.params(referral))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_restricted_cases_referral_is_seen_only_by_its_worker_and_supervisor(
    client, people, north, caseworker, pantry
):
    case = case_for(ClientFactory(office=north), caseworker, restricted=True)
    hidden = refer(caseworker, case, pantry, shared=[])
    for persona, expected in [("caseworker", 200), ("supervisor", 200), ("peer", 404), ("other_caseworker", 404)]:
        client.force_login(people[persona])
        assert client.get(reverse("referrals:referral_detail", args=[hidden.pk])).status_code == expected, persona


def test_a_restricted_member_closes_the_case_and_its_referrals_to_colleagues(
    client, peer, caseworker, supervisor, north, pantry
):
    case = case_for(ClientFactory(office=north), caseworker)
    shown = refer(caseworker, case, pantry, shared=[])
    member = MembershipFactory(household=case.household, relationship="spouse",
                               client=ClientFactory(office=north, restricted=True)).client  # fmt: skip
    from casework.services.cases import case_access_sync

    case_access_sync(case=case)
    hidden = refer(caseworker, case, pantry, client=member, shared=[])

    client.force_login(peer)
    for referral in (shown, hidden):
        assert client.get(reverse("referrals:referral_detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referrals:case_referrals", args=[case.pk])).status_code == 404
    client.force_login(supervisor)
    tab = client.get(reverse("referrals:case_referrals", args=[case.pk])).content.decode()
    assert reverse("referrals:referral_detail", args=[hidden.pk]) in tab


# What the pages do -------------------------------------------------------------------


def test_the_case_header_has_a_referrals_tab(client, caseworker, referral):
    client.force_login(caseworker)
    html = client.get(reverse("casework:case_detail", args=[referral.case_id])).content.decode()
    assert f'href="{reverse("referrals:case_referrals", args=[referral.case_id])}">Referrals</a>' in html


def test_the_referrals_tab_lists_the_cases_referrals_and_records_the_read(client, caseworker, referral):
    client.force_login(caseworker)
    response = client.get(reverse("referrals:case_referrals", args=[referral.case_id]))
    html = response.content.decode()
    assert "Emergency food pantry" in html and ">Sent</span>" in html
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).latest("at")
    assert event.changes == {"page": "referrals"} and event.object_id == str(referral.case_id)


def test_referring_from_the_form_sends_and_says_so(client, caseworker, referral, pantry):
    case = referral.case
    client.force_login(caseworker)
    path = reverse("referrals:referral_new") + f"?case={case.pk}&service={pantry.pk}"
    page = client.get(path).content.decode()
    assert "consented on 2025-06-01" in page
    assert "override" not in page.lower().split("</nav>", 1)[1].split("<form", 1)[1]  # caseworkers see no override

    form = {"client": case.primary_client_id, "reason": "Needs food for the week", "urgency": "high",
            "shared": ["contact", "date_of_birth"], "action": "send"}  # fmt: skip
    response = client.post(path, form)

    made = Referral.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == reverse("referrals:referral_detail", args=[made.pk])
    assert (made.status, made.urgency, made.shared, made.created_by) == (S.SENT, "high", ["contact", "date_of_birth"],
                                                                         caseworker)  # fmt: skip
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Referral of Ottoline Northcott to Emergency food pantry sent."
    ]


def test_without_consent_the_form_says_why_and_nothing_is_saved(client, caseworker, north, pantry):
    case = case_for(ClientFactory(office=north, first_name="Ada", last_name="Nolan"), caseworker)
    client.force_login(caseworker)
    path = reverse("referrals:referral_new") + f"?case={case.pk}&service={pantry.pk}"

    response = client.post(path, {"client": case.primary_client_id, "reason": "Food", "urgency": "routine",
                                  "shared": ["contact"], "action": "send"})  # fmt: skip

    assert response.status_code == 400
    assert "Ada Nolan has no consent in force today to share their information with Riverton Food Bank" in (
        response.content.decode()
    )
    assert not Referral.objects.filter(case=case).exists()


def test_a_supervisor_overrides_on_the_form(client, supervisor, north, caseworker, pantry):
    case = case_for(ClientFactory(office=north), caseworker)
    client.force_login(supervisor)
    path = reverse("referrals:referral_new") + f"?case={case.pk}&service={pantry.pk}"
    assert "Supervisor&#x27;s override of the consent rule" in client.get(path).content.decode()

    client.post(path, {"client": case.primary_client_id, "reason": "Food", "urgency": "urgent", "shared": ["contact"],
                       "consent_override_reason": "Client in crisis; consent by phone", "action": "send"})  # fmt: skip

    made = Referral.objects.get(case=case)
    assert (made.status, made.consent_override_by, made.consent_override_reason) == (
        S.SENT, supervisor, "Client in crisis; consent by phone"
    )  # fmt: skip


def test_save_as_draft_keeps_a_draft(client, caseworker, referral, pantry):
    client.force_login(caseworker)
    path = reverse("referrals:referral_new") + f"?case={referral.case_id}&service={pantry.pk}"
    client.post(path, {"client": referral.client_id, "reason": "Later", "urgency": "routine", "action": "draft"})
    assert Referral.objects.latest("id").status == S.DRAFT


def test_without_a_service_the_form_sends_the_worker_to_the_directory(client, caseworker, referral):
    client.force_login(caseworker)
    response = client.get(reverse("referrals:referral_new"), {"case": referral.case_id})
    assert response["Location"] == reverse("referrals:directory") + f"?case={referral.case_id}"


def test_moves_are_recorded_from_the_referral_page(client, caseworker, referral):
    client.force_login(caseworker)
    move = reverse("referrals:referral_move", args=[referral.pk])

    response = client.post(move, {"to": "accepted"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Referral to Emergency food pantry is now accepted."
    ]
    refused = client.post(move, {"to": "not_completed"})
    assert refused.status_code == 400
    assert "Choose why the client did not get the service." in refused.content.decode()
    client.post(move, {"to": "not_completed", "outcome": "could_not_contact", "reason": "Three calls, no answer"})

    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (S.NOT_COMPLETED, "could_not_contact")
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Not completed: could not contact the client" in page
    assert "Three calls, no answer" in page
    assert "Record what happened" not in page  # nothing left to move


def test_a_move_the_form_does_not_offer_is_refused(client, caseworker, referral):
    client.force_login(caseworker)
    response = client.post(reverse("referrals:referral_move", args=[referral.pk]), {"to": "completed"})
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_the_letter_is_a_pdf(client, caseworker, referral):
    client.force_login(caseworker)
    response = client.get(reverse("referrals:referral_letter", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_directory_in_a_case_offers_to_refer(client, caseworker, referral):
    client.force_login(caseworker)
    html = client.get(reverse("referrals:directory"), {"case": referral.case_id, "q": "pantry"}).content.decode()
    assert 'aria-label="Refer to Emergency food pantry"' in html
    assert f"?case={referral.case_id}&amp;service={referral.service_id}" in html


@pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)  # 09:00 on 12 March in Chicago
def test_the_follow_up_page_puts_the_overdue_first(client, caseworker, north, pantry, referral):
    quiet = refer(caseworker, case_for(ClientFactory(office=north, last_name="Quietly"), caseworker), pantry, shared=[])
    Referral.objects.filter(pk=quiet.pk).update(last_moved_at=datetime(2026, 2, 20, 15, tzinfo=UTC))
    client.force_login(caseworker)
    html = client.get(reverse("referrals:follow_up")).content.decode()
    assert html.index("Quietly") < html.index("Northcott")
    assert html.count('class="table-warning"') == 1


def test_an_admin_imports_a_package_and_sees_bad_rows(client, admin_user, tmp_path):
    def zipped(folder) -> io.BytesIO:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in folder.iterdir():
                archive.write(path, path.name)
        buffer.seek(0)
        buffer.name = "riverton.zip"
        return buffer

    client.force_login(admin_user)
    response = client.post(reverse("referrals:directory_import"), {"package": zipped(SAMPLE)})
    assert response.status_code == 302
    assert "riverton.zip imported: organization: 3 created" in str(next(iter(get_messages(response.wsgi_request))))

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "organization.csv").write_text("id,name\norg-1,\n")
    (bad / "service.csv").write_text("id,organization_id,name\nsvc-1,org-2,Pantry\n")
    response = client.post(reverse("referrals:directory_import"), {"package": zipped(bad)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "organization.csv, row 2: name: This field cannot be blank." in html
    assert "service.csv, row 2: organization_id &#x27;org-2&#x27; is in neither the file nor the directory" in html

    export = client.get(reverse("referrals:directory_export"))
    assert export["Content-Type"] == "application/zip"
    assert "service.csv" in zipfile.ZipFile(io.BytesIO(export.content)).namelist()


# Figures ------------------------------------------------------------------------------


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)  # 09:00 on 12 March in Chicago
def test_figures_per_month_count_share_and_median(client, supervisor, caseworker, north):
    food = make_service("Pantry", organization="Riverton Food Bank", categories=("Food pantries",))
    legal = make_service("Tenant advice", organization="Lakeside Legal Aid", categories=("Legal", "Housing"))
    this_month = date(2026, 3, 1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    case = case_for(ClientFactory(office=north), caseworker)

    def made(service, month, *, to=(), days=0, outcome=""):
        referral = refer(caseworker, case, service, shared=[])
        for status in to:
            referral = referral_move(acting_user=caseworker, referral=referral, to=status, reason="r", outcome=outcome)
        created = _at(month + timedelta(days=1))
        Referral.objects.filter(pk=referral.pk).update(
            created_at=created, sent_at=created,
            closed_at=created + timedelta(days=days) if referral.closed_at else None,
        )  # fmt: skip

    made(food, last_month, to=[S.ACCEPTED, S.COMPLETED], days=2)
    made(food, last_month, to=[S.ACCEPTED, S.COMPLETED], days=10)
    made(legal, last_month, to=[S.ACCEPTED, S.COMPLETED], days=4)
    made(legal, last_month, to=[S.ACCEPTED, S.NOT_COMPLETED], outcome="no_capacity", days=3)
    made(food, this_month, to=[S.DECLINED])
    made(food, this_month)
    # Another office's referral is not in a North supervisor's figures.
    south_worker = UserFactory(username="s2", office=OfficeFactory(code="south"), roles=["caseworker"])
    refer(south_worker, case_for(ClientFactory(office=south_worker.office), south_worker), food, shared=[])

    client.force_login(supervisor)
    response = client.get(reverse("referrals:figures"), {"month": f"{last_month:%Y-%m}"})
    figures = response.context["figures"]
    row = figures["month"]
    assert (row.made, row.completed, row.not_completed, row.open) == (4, 3, 1, 0)
    assert row.share_completed == 0.75 and row.median_days == 4.0
    assert figures["by_organization"] == [("Lakeside Legal Aid", 2), ("Riverton Food Bank", 2)]
    assert figures["by_category"] == [("Food pantries", 2), ("Housing", 2), ("Legal", 2)]
    assert figures["by_outcome"] == [("Completed", 3), ("Not completed: no capacity", 1)]
    assert ">75%<" in response.content.decode()
    now_row = figures["months"][-1]
    assert now_row.month == last_month and len(figures["months"]) == 12

    current = client.get(reverse("referrals:figures")).context["figures"]["month"]
    assert (current.made, current.declined, current.open, current.median_days) == (2, 1, 1, None)


@time_machine.travel(datetime(2026, 3, 16, 15, 0, tzinfo=UTC), tick=False)
def test_the_figures_list_the_months_with_referrals_and_their_totals(client, supervisor, caseworker, north):
    food = make_service("Pantry", organization="Riverton Food Bank", categories=("Food pantries",))
    case = case_for(ClientFactory(office=north), caseworker)
    for day, moves in ((date(2025, 6, 9), [S.ACCEPTED, S.COMPLETED]), (date(2025, 6, 10), []), (date(2026, 1, 7), [])):
        referral = refer(caseworker, case, food, shared=[])
        for status in moves:
            referral = referral_move(acting_user=caseworker, referral=referral, to=status, reason="r")
        made = _at(day)
        Referral.objects.filter(pk=referral.pk).update(
            created_at=made, sent_at=made, closed_at=made + timedelta(days=3) if referral.closed_at else None
        )
    client.force_login(supervisor)

    page = client.get(reverse("referrals:figures")).content.decode()

    table = re.search(r'<table class="table table-sm" id="per-month">.*?</table>', page, re.S).group(0)
    cells = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert cells == [
        ["2025-06", "2", "1", "0", "0", "0", "1", "50%", "3.0"],
        ["2026-01", "1", "0", "0", "0", "0", "1", "0%", "—"],
        ["Total", "3", "1", "0", "0", "0", "2", "33%", "3.0"],
    ]
    assert "Nothing in this range." not in page


@time_machine.travel(datetime(2026, 3, 16, 15, 0, tzinfo=UTC), tick=False)
def test_the_figures_say_so_when_no_referral_was_made_in_the_range(client, supervisor):
    client.force_login(supervisor)

    page = client.get(reverse("referrals:figures")).content.decode()

    assert "Nothing in this range." in page
    assert 'id="per-month"' not in page
    assert "March 2026: 0 referrals" in page


# Query counts ---------------------------------------------------------------------------

SMALL, LARGE = 5, 25
_serial = count(1)


def assert_constant(client, path: str, params: dict, add_rows, ceiling: int, django_assert_max_num_queries) -> str:
    add_rows(SMALL)
    client.get(path, params)
    with django_assert_max_num_queries(ceiling) as small:
        assert client.get(path, params).status_code == 200
    add_rows(LARGE - SMALL)
    with django_assert_max_num_queries(ceiling) as large:
        response = client.get(path, params)
    assert len(small) == len(large)
    return response.content.decode()


@pytest.fixture
def services_pool():
    return [make_service(f"Service {i}", organization=f"Org {i}", categories=(f"Cat {i}",)) for i in range(5)]


def test_the_referrals_tab_costs_the_same_for_5_and_25_referrals(
    client, caseworker, north, services_pool, django_assert_max_num_queries
):
    case = case_for(ClientFactory(office=north), caseworker)

    def add_rows(n):
        for _ in range(n):
            refer(caseworker, case, services_pool[next(_serial) % 5], shared=[])

    client.force_login(caseworker)
    html = assert_constant(client, reverse("referrals:case_referrals", args=[case.pk]), {}, add_rows, 16,
                           django_assert_max_num_queries)  # fmt: skip
    assert html.count("referrals/") >= LARGE


def test_the_follow_up_page_costs_the_same_for_5_and_25_referrals(
    client, caseworker, north, services_pool, django_assert_max_num_queries
):
    def add_rows(n):
        for _ in range(n):
            i = next(_serial)
            case = case_for(ClientFactory(office=north), caseworker)
            refer(caseworker, case, services_pool[i % 5], shared=[])

    client.force_login(caseworker)
    # 4 of the 15 write the read event: a savepoint, its row, its clients in one insert.
    html = assert_constant(client, reverse("referrals:follow_up"), {}, add_rows, 15, django_assert_max_num_queries)
    assert html.count("<tr") == LARGE + 1


def test_the_figures_cost_the_same_for_5_and_25_referrals(
    client, supervisor, caseworker, north, services_pool, django_assert_max_num_queries
):
    case = case_for(ClientFactory(office=north), caseworker)

    def add_rows(n):
        for _ in range(n):
            i = next(_serial)
            referral = refer(caseworker, case, services_pool[i % 5], shared=[])
            if i % 2:
                referral = referral_move(acting_user=caseworker, referral=referral, to=S.ACCEPTED)
                referral_move(acting_user=caseworker, referral=referral, to=S.COMPLETED)

    client.force_login(supervisor)
    assert_constant(client, reverse("referrals:figures"), {}, add_rows, 14, django_assert_max_num_queries)


def test_the_referral_page_costs_the_same_however_long_its_history(
    client, caseworker, referral, django_assert_max_num_queries
):
    client.force_login(caseworker)
    path = reverse("referrals:referral_detail", args=[referral.pk])
    client.get(path)
    with django_assert_max_num_queries(16) as short:
        client.get(path)
    referral = referral_move(acting_user=caseworker, referral=referral, to=S.ACCEPTED)
    referral_move(acting_user=caseworker, referral=referral, to=S.COMPLETED)
    with django_assert_max_num_queries(16) as long:
        client.get(path)
    assert len(short) == len(long)


def test_administrators_edit_the_directory_in_the_admin(client, admin_user, caseworker, referral):
    client.force_login(admin_user)
    for model in ("organization", "service", "location", "category", "language"):
        assert client.get(reverse(f"admin:referrals_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:referrals_{model}_add")).status_code == 200, model
    assert client.get(reverse("admin:referrals_service_change", args=[referral.service_id])).status_code == 200
    # Referrals are read-only there, and only those the admin may see (none without break-glass).
    assert client.get(reverse("admin:referrals_referral_add")).status_code == 403
    assert "0 referrals" in client.get(reverse("admin:referrals_referral_changelist")).content.decode()

    client.force_login(caseworker)
    assert client.get(reverse("admin:referrals_service_changelist")).status_code == 302


def test_the_figures_ignore_a_month_out_of_range(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("referrals:figures"), {"month": "9999-12"}).status_code == 200
    assert client.get(reverse("referrals:figures"), {"month": "0001-01"}).status_code == 200
