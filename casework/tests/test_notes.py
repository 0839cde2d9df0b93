"""Case notes: writing, addenda, append-only, confidential notes, search, last contact, audit, access, queries.

Personas (conftest.py): `caseworker` (the assigned worker of the case here) and `supervisor`
(their team's supervisor), both North; `other_caseworker` (South); `admin` and `auditor`.
This module adds `colleague`, a North caseworker of another team who sees the office's
unrestricted cases, and `north_supervisor`, a North supervisor of that other team.
"""

import re
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import CaseAccess
from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import Case, CaseNote, NoteAddendum
from casework.models.notes import AppendOnlyError
from casework.selectors import notes as selectors
from casework.services.cases import case_transfer
from casework.services.notes import note_addendum_add, note_write
from clients.services import break_glass_open
from tests import app_role
from tests.factories import ClientFactory, TeamFactory, UserFactory, case_for

SECRET = "Xylophonist"  # a word only a confidential note holds
PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]
# One frozen moment (10:00 in Chicago on 12 March 2026): "two hours ago" and "tomorrow" are the same on every run.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


# Data -------------------------------------------------------------------------------------


@pytest.fixture
def north_supervisor(north):
    """A supervisor in the North office whose team is not the caseworker's."""
    user = UserFactory(username="north_sup2", office=north, roles=["supervisor"])
    user.team = TeamFactory(office=north, supervisor=user)
    user.save(update_fields=["team"])
    return user


@pytest.fixture
def colleague(north_supervisor, north):
    """A North caseworker of another team: sees the office's unrestricted cases, is named on none."""
    return UserFactory(username="north_colleague", office=north, team=north_supervisor.team, roles=["caseworker"])


@pytest.fixture
def people(personas, colleague, north_supervisor) -> dict:
    return {**personas, "colleague": colleague, "north_supervisor": north_supervisor}


@pytest.fixture
def case(north, caseworker):
    return case_for(ClientFactory(office=north, first_name="Ottoline", last_name="Northcott"), caseworker)


@pytest.fixture
def restricted_case(north, caseworker):
    return case_for(
        ClientFactory(office=north, first_name="Shelterra", last_name="Vantongeren"), caseworker, restricted=True
    )


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def write(case, author, **fields) -> CaseNote:
    values = {"kind": CaseNote.Kind.PHONE_CALL, "contact_at": ago(hours=2), "body": "Talked about the rent."}
    return note_write(acting_user=author, case=case, **{**values, **fields})


def local_input(moment: datetime) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def notes_page(client, user, case, **params):
    client.force_login(user)
    return client.get(reverse("casework:case_notes", args=[case.pk]), params)


def text(response) -> str:
    return response.content.decode()


def client_ids(case) -> list[int]:
    return sorted(CaseAccess.objects.filter(case_id=case.pk).values_list("client_id", flat=True))


# Writing ----------------------------------------------------------------------------------


def test_caseworker_writes_a_note_with_kind_time_who_was_present_subject_and_body(case, caseworker):
    contact_at = ago(days=1)

    note = write(
        case,
        caseworker,
        kind=CaseNote.Kind.HOME_VISIT,
        contact_at=contact_at,
        present="  Client and her mother ",
        subject="Housing",
        body="  Landlord agreed to fix the heating.  ",
    )

    note = CaseNote.objects.get(pk=note.pk)
    assert (note.case, note.kind, note.contact_at, note.author) == (case, "home_visit", contact_at, caseworker)
    assert (note.present, note.subject, note.body) == (
        "Client and her mother",
        "Housing",
        "Landlord agreed to fix the heating.",
    )
    assert note.confidential is False


def test_every_kind_of_contact_can_be_written(case, caseworker):
    for kind in CaseNote.Kind.values:
        write(case, caseworker, kind=kind)

    assert sorted(case.notes.values_list("kind", flat=True)) == sorted(CaseNote.Kind.values)
    assert {label for _, label in CaseNote.Kind.choices} == {
        "Office visit",
        "Phone call",
        "Home visit",
        "Case conference",
        "Collateral contact",
        "Email",
        "Letter",
    }


def test_a_note_dated_in_the_future_is_refused_and_nothing_is_saved(case, caseworker):
    with pytest.raises(ValidationError) as refused:
        write(case, caseworker, contact_at=NOW + timedelta(minutes=5))

    assert "contact_at" in refused.value.error_dict
    assert not CaseNote.objects.exists()
    assert Case.objects.get(pk=case.pk).last_contact_at is None
    assert not AuditEvent.objects.filter(object_type="casework.casenote").exists()


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_a_note_with_an_empty_body_is_refused(case, caseworker, body):
    with pytest.raises(ValidationError) as refused:
        write(case, caseworker, body=body)

    assert "body" in refused.value.error_dict
    assert not CaseNote.objects.exists()


def test_a_note_of_an_unknown_kind_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as refused:
        write(case, caseworker, kind="telepathy")

    assert "kind" in refused.value.error_dict


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_admins_and_auditors_do_not_write_notes(case, people, persona):
    with pytest.raises(PermissionDenied):
        write(case, people[persona])

    assert not CaseNote.objects.exists()


def test_writing_a_note_moves_the_case_last_contact_to_its_contact_time(case, caseworker):
    first = ago(days=3)
    write(case, caseworker, contact_at=first)
    assert Case.objects.get(pk=case.pk).last_contact_at == first

    later = ago(days=1)
    write(case, caseworker, kind=CaseNote.Kind.LETTER, contact_at=later)

    assert Case.objects.get(pk=case.pk).last_contact_at == later


def test_a_note_about_an_earlier_contact_does_not_move_last_contact_back(case, caseworker):
    recent = ago(hours=1)
    write(case, caseworker, contact_at=recent)

    write(case, caseworker, contact_at=ago(days=10))

    assert Case.objects.get(pk=case.pk).last_contact_at == recent


# Addenda ----------------------------------------------------------------------------------


def test_an_addendum_is_added_under_a_note_with_its_own_author_and_time(case, caseworker, supervisor):
    note = write(case, caseworker, body="Client said rent is $800.")

    addendum = note_addendum_add(acting_user=supervisor, note=note, body="  Correction: rent is $850.  ")

    addendum = NoteAddendum.objects.get(pk=addendum.pk)
    assert (addendum.note, addendum.author, addendum.body) == (note, supervisor, "Correction: rent is $850.")
    assert addendum.created_at >= note.created_at
    assert CaseNote.objects.get(pk=note.pk).body == "Client said rent is $800."


def test_an_empty_addendum_is_refused(case, caseworker):
    note = write(case, caseworker)

    with pytest.raises(ValidationError) as refused:
        note_addendum_add(acting_user=caseworker, note=note, body="  ")

    assert "body" in refused.value.error_dict
    assert not NoteAddendum.objects.exists()


def test_someone_who_may_not_read_a_confidential_note_cannot_add_to_it(case, caseworker, colleague):
    note = write(case, caseworker, confidential=True)

    with pytest.raises(PermissionDenied):
        note_addendum_add(acting_user=colleague, note=note, body="I was there too.")

    assert not NoteAddendum.objects.exists()


def test_addendum_page_adds_the_addendum_and_shows_it_under_the_note(client, case, caseworker, supervisor):
    note = write(case, caseworker, body="Client said rent is $800.")
    client.force_login(supervisor)

    response = client.post(
        reverse("casework:case_note_addendum_add", args=[case.pk, note.pk]), {"body": "Correction: rent is $850."}
    )

    assert response.status_code == 302
    assert response.url == reverse("casework:case_notes", args=[case.pk]) + f"#note-{note.pk}"
    page = text(client.get(response.url))
    assert "Addendum added." in page
    assert page.index("Client said rent is $800.") < page.index("Correction: rent is $850.")
    assert f"Addendum by {supervisor}" in page


def test_addendum_page_refuses_an_empty_addendum_with_the_error_next_to_the_field(client, case, caseworker):
    note = write(case, caseworker)
    client.force_login(caseworker)

    response = client.post(reverse("casework:case_note_addendum_add", args=[case.pk, note.pk]), {"body": " "})

    assert response.status_code == 200
    assert 'id="error_1_id_body"' in text(response)
    assert not NoteAddendum.objects.exists()


def test_a_note_of_another_case_is_not_found_through_this_case(client, north, case, caseworker):
    elsewhere = case_for(ClientFactory(office=north), caseworker)
    note = write(elsewhere, caseworker)
    client.force_login(caseworker)

    response = client.get(reverse("casework:case_note_addendum_add", args=[case.pk, note.pk]))

    assert response.status_code == 404


# Append-only ------------------------------------------------------------------------------


def test_a_saved_note_cannot_be_changed_or_deleted_through_the_model(case, caseworker):
    note = write(case, caseworker, body="As written.")

    note.body = "Rewritten."
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        note.delete()

    assert CaseNote.objects.get(pk=note.pk).body == "As written."


def test_a_saved_addendum_cannot_be_changed_or_deleted_through_the_model(case, caseworker):
    addendum = note_addendum_add(acting_user=caseworker, note=write(case, caseworker), body="As written.")

    addendum.body = "Rewritten."
    with pytest.raises(AppendOnlyError):
        addendum.save()
    with pytest.raises(AppendOnlyError):
        addendum.delete()

    assert NoteAddendum.objects.get(pk=addendum.pk).body == "As written."


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE casework_casenote SET body = 'Rewritten.' WHERE id = %(note)s",
        "DELETE FROM casework_casenote WHERE id = %(note)s",
        "UPDATE casework_noteaddendum SET body = 'Rewritten.' WHERE id = %(addendum)s",
        "DELETE FROM casework_noteaddendum WHERE id = %(addendum)s",
    ],
)
def test_the_database_refuses_to_change_or_remove_a_note_or_an_addendum(case, caseworker, sql):
    note = write(case, caseworker, body="As written.")
    addendum = note_addendum_add(acting_user=caseworker, note=note, body="As written.")

    # The trigger holds for the owner too; the application's role is refused before it.
    with (
        app_role.as_owner(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, {"note": note.pk, "addendum": addendum.pk})

    assert CaseNote.objects.get(pk=note.pk).body == "As written."
    assert NoteAddendum.objects.get(pk=addendum.pk).body == "As written."


def test_notes_and_addenda_cannot_be_changed_or_deleted_in_bulk_through_the_orm(case, caseworker):
    note = write(case, caseworker, body="As written.")
    note_addendum_add(acting_user=caseworker, note=note, body="As written.")

    for model in (CaseNote, NoteAddendum):
        with pytest.raises(AppendOnlyError):
            model.objects.all().update(body="Rewritten.")
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()

    assert CaseNote.objects.get().body == NoteAddendum.objects.get().body == "As written."


# Confidential notes -----------------------------------------------------------------------

# Who reads a confidential note the caseworker (the case's worker) wrote on their North case.
READS, EXISTS_ONLY, NOT_FOUND = "reads", "exists only", "404"
CONFIDENTIAL_VIEW = {
    "caseworker": READS,  # author and assigned worker
    "supervisor": READS,  # supervisor of the assigned worker's team
    "colleague": EXISTS_ONLY,  # same office, sees the unrestricted case
    "north_supervisor": EXISTS_ONLY,  # a supervisor of the office, but not of this worker's team
    "other_caseworker": NOT_FOUND,
    "admin": NOT_FOUND,
    "auditor": NOT_FOUND,
}


@pytest.mark.parametrize(("persona", "expected"), CONFIDENTIAL_VIEW.items())
def test_a_confidential_note_is_read_only_by_author_assigned_worker_and_their_supervisor(
    client, people, case, caseworker, supervisor, persona, expected
):
    note = write(
        case,
        caseworker,
        kind=CaseNote.Kind.HOME_VISIT,
        subject=f"Subject {SECRET}",
        present=f"Present {SECRET}",
        body=f"Body {SECRET}",
        confidential=True,
    )
    note_addendum_add(acting_user=supervisor, note=note, body=f"Addendum {SECRET}")
    write(case, caseworker, body="An ordinary phone call.")

    response = notes_page(client, people[persona], case)

    if expected == NOT_FOUND:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = text(response)
    assert "An ordinary phone call." in page
    assert f'id="note-{note.pk}"' in page
    assert "Home visit" in page and str(caseworker) in page
    assert note.contact_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M") in page
    assert "Confidential" in page
    if expected == READS:
        for part in ("Subject", "Present", "Body", "Addendum"):
            assert f"{part} {SECRET}" in page
    else:
        assert SECRET not in page
        assert "only its author, the case's assigned worker and their supervisor read this note" in page


def test_the_author_of_a_confidential_note_reads_it_though_not_the_assigned_worker(client, case, colleague):
    write(case, colleague, body=f"Body {SECRET}", confidential=True)

    assert f"Body {SECRET}" in text(notes_page(client, colleague, case))


def test_a_confidential_note_follows_the_case_to_its_new_worker(client, case, caseworker, supervisor, north):
    write(case, supervisor, body=f"Body {SECRET}", confidential=True)
    new_worker = UserFactory(username="new_worker", office=north, team=supervisor.team, roles=["caseworker"])
    assert SECRET not in text(notes_page(client, new_worker, case))

    case_transfer(acting_user=supervisor, cases=[case], to_worker=new_worker, reason="Caseload balance")

    assert f"Body {SECRET}" in text(notes_page(client, new_worker, case))
    assert SECRET not in text(notes_page(client, caseworker, case))  # neither author nor worker now


@pytest.mark.parametrize(("persona", "status"), [("caseworker", 200), ("supervisor", 200), ("colleague", 404)])
def test_the_addendum_page_of_a_confidential_note_is_only_for_those_who_read_it(
    client, people, case, caseworker, persona, status
):
    note = write(case, caseworker, body=f"Body {SECRET}", confidential=True)
    client.force_login(people[persona])
    path = reverse("casework:case_note_addendum_add", args=[case.pk, note.pk])

    shown = client.get(path)
    posted = client.post(path, {"body": "Something to add."})

    assert shown.status_code == status
    assert (SECRET in text(shown)) is (status == 200)
    assert posted.status_code == (302 if status == 200 else 404)
    assert NoteAddendum.objects.count() == (1 if status == 200 else 0)


def test_the_readable_rule_is_the_same_in_the_selector_and_the_single_note_check(people, case, caseworker):
    open_note = write(case, caseworker)
    confidential = write(case, caseworker, confidential=True)

    for persona in ("caseworker", "supervisor", "colleague", "north_supervisor"):
        user = people[persona]
        rows = {row.pk: row.readable for row in selectors.note_rows(selectors.note_list(user=user, case=case))}
        for note in (open_note, confidential):
            assert rows[note.pk] is selectors.note_is_readable(user=user, note=note), (persona, note)
    assert not selectors.note_is_readable(user=people["colleague"], note=confidential)


def test_a_restricted_case_notes_are_seen_by_its_worker_and_supervisor_only(
    client, people, restricted_case, caseworker
):
    write(restricted_case, caseworker, body="Safety plan discussed.")

    for persona, status in {
        "caseworker": 200,
        "supervisor": 200,
        "colleague": 404,
        "north_supervisor": 404,
        "other_caseworker": 404,
        "admin": 404,
        "auditor": 404,
    }.items():
        response = notes_page(client, people[persona], restricted_case)
        assert response.status_code == status, persona
        assert ("Safety plan discussed." in text(response)) is (status == 200)


# Search -----------------------------------------------------------------------------------


def test_search_finds_notes_by_a_word_in_the_subject_body_present_or_addenda(client, case, caseworker):
    heating = write(case, caseworker, subject="Heating", body="The landlord will call.")
    by_body = write(case, caseworker, body="Spoke with the landlord about the heating repair.")
    by_present = write(case, caseworker, present="Heating engineer", body="Inspection.")
    by_addendum = write(case, caseworker, body="Inspection booked.")
    note_addendum_add(acting_user=caseworker, note=by_addendum, body="Heating fixed on Monday.")
    unrelated = write(case, caseworker, body="School enrolment for the youngest.")

    page = text(notes_page(client, caseworker, case, q="heating"))

    for note in (heating, by_body, by_present, by_addendum):
        assert f'id="note-{note.pk}"' in page
    assert f'id="note-{unrelated.pk}"' not in page
    assert "4 notes match “heating”" in page


def test_search_needs_every_word(case, caseworker):
    both = write(case, caseworker, body="Rent arrears and the eviction notice.")
    write(case, caseworker, body="Rent paid in full.")

    found = selectors.note_list(user=caseworker, case=case, query="rent eviction")

    assert [n.pk for n in found] == [both.pk]


@pytest.mark.postgres
def test_search_on_postgresql_matches_other_forms_of_a_word_and_ranks_the_subject_first(case, caseworker):
    in_body = write(case, caseworker, body="The children visited their grandmother.", contact_at=ago(hours=1))
    in_subject = write(case, caseworker, subject="Childcare visit", body="Forms for daycare.", contact_at=ago(days=2))
    write(case, caseworker, body="Nothing relevant here.")

    found = list(selectors.note_list(user=caseworker, case=case, query="visits"))

    assert [n.pk for n in found] == [in_subject.pk, in_body.pk]
    assert [n.pk for n in selectors.note_list(user=caseworker, case=case, query="grandmothers")] == [in_body.pk]
    assert found[0].rank > found[1].rank


def test_search_never_shows_a_confidential_note_to_those_who_may_not_read_it(client, case, caseworker, colleague):
    secret = write(case, caseworker, body=f"Meeting about {SECRET} at the shelter.", confidential=True)
    note_addendum_add(acting_user=caseworker, note=secret, body="The shelter moved.")

    for query in (SECRET, "shelter", "moved"):
        page = text(notes_page(client, colleague, case, q=query))
        assert f'id="note-{secret.pk}"' not in page
        assert "No note you may read matches." in page
        assert SECRET not in page.replace(f"“{SECRET}”", "").replace(f'value="{SECRET}"', "")

    page = text(notes_page(client, caseworker, case, q="shelter"))
    assert f"Meeting about {SECRET} at the shelter." in page


@pytest.mark.parametrize("query", ['"', "-", "the", "rent & | ! (", "'; DROP TABLE casework_casenote; --"])
def test_search_with_odd_input_answers_without_error(client, case, caseworker, query):
    write(case, caseworker, body="The rent is late.")

    response = notes_page(client, caseworker, case, q=query)

    assert response.status_code == 200
    assert CaseNote.objects.count() == 1


# The pages --------------------------------------------------------------------------------


def test_notes_tab_lists_notes_newest_contact_first_and_is_the_active_tab(client, case, caseworker):
    older = write(case, caseworker, body="Older contact.", contact_at=ago(days=5))
    newer = write(case, caseworker, body="Newer contact.", contact_at=ago(days=1))

    page = text(notes_page(client, caseworker, case))

    assert page.index(f'id="note-{newer.pk}"') < page.index(f'id="note-{older.pk}"')
    assert re.search(r'class="nav-link active" aria-current="page" href="[^"]+/notes/">Notes</a>', page)


def test_note_form_writes_the_note_updates_last_contact_and_redirects_to_it(client, case, caseworker):
    contact_at = ago(days=1).replace(second=0)
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:case_note_add", args=[case.pk]),
        {
            "kind": "office_visit",
            "contact_at": local_input(contact_at),
            "present": "Client",
            "subject": "Benefits review",
            "body": "Brought pay slips.",
        },
    )

    note = CaseNote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("casework:case_notes", args=[case.pk]) + f"#note-{note.pk}"
    assert (note.kind, note.contact_at, note.author, note.confidential) == (
        "office_visit",
        contact_at,
        caseworker,
        False,
    )
    assert Case.objects.get(pk=case.pk).last_contact_at == contact_at
    assert "Office visit note saved." in text(client.get(response.url))


def test_note_form_refuses_a_future_date_with_the_error_next_to_the_field_and_saves_nothing(client, case, caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:case_note_add", args=[case.pk]),
        {"kind": "phone_call", "contact_at": local_input(NOW + timedelta(days=1)), "body": "Tomorrow."},
    )

    page = text(response)
    assert response.status_code == 200
    assert "Enter a date that has already happened" in page
    assert (
        page.index('id="id_contact_at"')
        < page.index("Enter a date that has already happened")
        < page.index('id="id_present"')
    )
    assert "Tomorrow." in page  # what was typed is kept
    assert not CaseNote.objects.exists()
    assert Case.objects.get(pk=case.pk).last_contact_at is None
    assert not AuditEvent.objects.filter(action="create", object_type="casework.casenote").exists()


def test_note_form_refuses_an_empty_body(client, case, caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:case_note_add", args=[case.pk]),
        {"kind": "phone_call", "contact_at": local_input(ago(hours=1)), "body": "   "},
    )

    assert response.status_code == 200
    assert 'id="error_1_id_body"' in text(response)
    assert not CaseNote.objects.exists()


def test_note_form_uses_a_datetime_local_input_and_labels_every_input(client, case, caseworker):
    note = write(case, caseworker)
    client.force_login(caseworker)

    for name, args in [
        ("casework:case_note_add", [case.pk]),
        ("casework:case_note_addendum_add", [case.pk, note.pk]),
        ("casework:case_notes", [case.pk]),
    ]:
        page = text(client.get(reverse(name, args=args)))
        inputs = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
        assert inputs, name
        for input_id in inputs:
            assert f'for="{input_id}"' in page, (name, input_id)
        if name != "casework:case_notes":
            assert page.split("<main", 1)[1].count('name="csrfmiddlewaretoken"') == 1, name
    page = text(client.get(reverse("casework:case_note_add", args=[case.pk])))
    assert re.search(r'<input type="datetime-local" name="contact_at"', page)


# Audit ------------------------------------------------------------------------------------


def test_writing_a_note_records_a_create_event_with_the_case_clients_and_no_content(case, caseworker):
    note = write(case, caseworker, body=f"Body {SECRET}", confidential=True)

    event = AuditEvent.objects.get(action="create", object_type="casework.casenote")
    assert (event.actor, event.object_id) == (caseworker, str(note.pk))
    assert sorted(event.subjects.values_list("client_id", flat=True)) == client_ids(case) != []
    assert event.changes["kind"] == [None, "phone_call"]
    assert event.changes["confidential"] == [None, True]
    assert SECRET not in str(event.changes)


def test_adding_an_addendum_records_a_create_event_with_the_case_clients(case, caseworker, supervisor):
    note = write(case, caseworker)

    addendum = note_addendum_add(acting_user=supervisor, note=note, body=f"Addendum {SECRET}")

    event = AuditEvent.objects.get(action="create", object_type="casework.noteaddendum")
    assert (event.actor, event.object_id) == (supervisor, str(addendum.pk))
    assert sorted(event.subjects.values_list("client_id", flat=True)) == client_ids(case)
    assert event.changes["note_id"] == [None, note.pk]
    assert SECRET not in str(event.changes)


def test_reading_the_notes_tab_records_a_view_of_the_case_clients(client, case, caseworker):
    notes_page(client, caseworker, case, q="rent")

    event = AuditEvent.objects.get(action="view", actor=caseworker)
    assert (event.object_type, event.object_id, event.changes) == ("casework.case", str(case.pk), {"page": "notes"})
    assert sorted(event.subjects.values_list("client_id", flat=True)) == client_ids(case)


# Every notes URL, every persona -----------------------------------------------------------


def _list(case, note):
    return ("get", reverse("casework:case_notes", args=[case.pk]), {})


def _search(case, note):
    return ("get", reverse("casework:case_notes", args=[case.pk]), {"q": "rent"})


def _add_form(case, note):
    return ("get", reverse("casework:case_note_add", args=[case.pk]), {})


def _add(case, note):
    data = {"kind": "phone_call", "contact_at": local_input(ago(hours=1)), "body": "Called about rent."}
    return ("post", reverse("casework:case_note_add", args=[case.pk]), data)


def _addendum_form(case, note):
    return ("get", reverse("casework:case_note_addendum_add", args=[case.pk, note.pk]), {})


def _addendum(case, note):
    return ("post", reverse("casework:case_note_addendum_add", args=[case.pk, note.pk]), {"body": "Rent is $850."})


def statuses(caseworker, supervisor, other_caseworker, admin, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, [caseworker, supervisor, other_caseworker, admin, auditor], strict=True))


# Reading needs only to see the case; writing needs `casework.work_cases` first (403 before any lookup).
ACCESS_TABLE = [
    #                                  caseworker supervisor other_cw admin auditor
    ("case_notes", _list, statuses(200, 200, 404, 404, 404)),
    ("case_notes", _search, statuses(200, 200, 404, 404, 404)),
    ("case_note_add", _add_form, statuses(200, 200, 404, 403, 403)),
    ("case_note_add", _add, statuses(302, 302, 404, 403, 403)),
    ("case_note_addendum_add", _addendum_form, statuses(200, 200, 404, 403, 403)),
    ("case_note_addendum_add", _addendum, statuses(302, 302, 404, 403, 403)),
]
ACCESS_IDS = [f"{name}-{request.__name__.strip('_')}" for name, request, _ in ACCESS_TABLE]


def test_the_access_table_covers_every_notes_url():
    names = {p.name for p in casework_urls.urlpatterns if p.name and p.name.startswith("case_note")}
    assert {name for name, _, _ in ACCESS_TABLE} == names == {"case_notes", "case_note_add", "case_note_addendum_add"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "request_for", "expected"), ACCESS_TABLE, ids=ACCESS_IDS)
def test_each_persona_gets_the_status_the_access_rule_gives_on_each_notes_url(
    client, people, case, caseworker, persona, name, request_for, expected
):
    note = write(case, caseworker, body="Called about rent.")
    notes_before = CaseNote.objects.count()
    method, path, data = request_for(case, note)
    client.force_login(people[persona])

    response = getattr(client, method)(path, data)

    assert response.status_code == expected[persona]
    if response.status_code == 200:
        assert "Ottoline Northcott" in text(response)
    else:
        assert "Northcott" not in text(response)
    if response.status_code != 302:
        assert CaseNote.objects.count() == notes_before
        assert not NoteAddendum.objects.exists()


@pytest.mark.parametrize(("name", "request_for", "expected"), ACCESS_TABLE, ids=ACCESS_IDS)
def test_anonymous_visitor_is_sent_to_the_login_page_from_every_notes_url(
    client, case, caseworker, name, request_for, expected
):
    method, path, data = request_for(case, write(case, caseworker))

    response = getattr(client, method)(path, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize(("name", "request_for", "expected"), ACCESS_TABLE, ids=ACCESS_IDS)
def test_admin_after_break_glass_reads_the_notes_but_does_not_write_them(
    client, admin_user, case, caseworker, name, request_for, expected
):
    break_glass_open(acting_user=admin_user, client=case.primary_client, reason="Subpoena 2025-CV-0113 from counsel")
    method, path, data = request_for(case, write(case, caseworker))
    client.force_login(admin_user)

    response = getattr(client, method)(path, data)

    assert response.status_code == (200 if name == "case_notes" else 403)


@pytest.mark.parametrize(("name", "request_for", "expected"), ACCESS_TABLE, ids=ACCESS_IDS)
def test_a_refusal_says_nothing_about_whether_the_case_exists(
    client, other_caseworker, case, caseworker, name, request_for, expected
):
    method, path, data = request_for(case, write(case, caseworker))
    missing = path.replace(f"/cases/{case.pk}/", "/cases/987654321/")
    client.force_login(other_caseworker)

    assert getattr(client, method)(path, data).status_code == getattr(client, method)(missing, data).status_code == 404


# Query counts -----------------------------------------------------------------------------

SMALL, LARGE = 5, 50
# Queries per load of the notes tab, whatever the number of notes and addenda.
MAX_QUERIES = {"list": 18, "search": 18}
_serial = count(1)


@pytest.mark.parametrize("page", ["list", "search"])
@pytest.mark.parametrize("reader", ["caseworker", "colleague"])
def test_notes_tab_queries_do_not_grow_with_notes_and_addenda(
    client, people, case, caseworker, supervisor, north, page, reader, django_assert_max_num_queries
):
    def add_notes(n):
        for i in range(n):
            # A different author per note and per addendum, so a per-row user lookup would show.
            author = UserFactory(
                username=f"noter{next(_serial)}", office=north, team=supervisor.team, roles=["caseworker"]
            )
            note = write(case, author, body=f"Rent visit number {i}.", confidential=i % 3 == 0, contact_at=ago(days=i))
            note_addendum_add(acting_user=supervisor, note=note, body=f"Addendum one to {i}.")
            note_addendum_add(acting_user=author, note=note, body=f"Addendum two to {i}.")

    params = {"q": "rent"} if page == "search" else {}
    client.force_login(people[reader])
    path = reverse("casework:case_notes", args=[case.pk])

    def load():
        with django_assert_max_num_queries(MAX_QUERIES[page]) as captured:
            response = client.get(path, params)
        assert response.status_code == 200
        return len(captured), text(response)

    add_notes(SMALL)
    client.get(path, params)  # warm up: session, permissions
    small, _ = load()
    add_notes(LARGE - SMALL)
    large, html = load()

    assert small == large
    readable = LARGE if reader == "caseworker" else LARGE - len(range(0, LARGE, 3))
    assert html.count("Rent visit number") == readable
    assert html.count("Addendum one to") == readable
    shown = LARGE if page == "list" or reader == "caseworker" else readable
    assert html.count('<article class="card') == shown
