"""Writing case notes and their addenda. A note is never changed once written: a correction is an addendum."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, CaseNote, NoteAddendum
from casework.selectors.notes import note_is_readable
from casework.services.cases import case_client_ids, case_record_contact


def note_write(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    contact_at: datetime,
    body: str,
    present: str = "",
    subject: str = "",
    confidential: bool = False,
) -> CaseNote:
    """Record a contact on a case, and move the case's last contact to it if it is later.

    Refused: a contact in the future, an empty body, an unknown kind. The audit event names
    the note and its metadata, not its content: the trail is read by auditors, who may not
    read a confidential note.
    """
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors write case notes."))
    if timezone.is_naive(contact_at):
        raise ValueError("contact_at must be timezone-aware.")
    errors: dict[str, str] = {}
    if kind not in CaseNote.Kind.values:
        errors["kind"] = "Choose what kind of contact this was."
    if contact_at > timezone.now():
        errors["contact_at"] = "The contact cannot be in the future. Enter when it happened."
    if not body.strip():
        errors["body"] = "Write what happened."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The case's last contact changes with the note.
        case = Case.objects.select_for_update().get(pk=case.pk)
        note = CaseNote.objects.create(
            case=case,
            kind=kind,
            contact_at=contact_at,
            present=present.strip(),
            subject=subject.strip(),
            body=body.strip(),
            confidential=confidential,
            author=acting_user,
        )
        case_record_contact(case=case, contact_at=contact_at)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=note,
            client_ids=case_client_ids(case.pk),
            changes={
                "case_id": [None, case.pk],
                "kind": [None, kind],
                "contact_at": [None, contact_at.isoformat()],
                "confidential": [None, confidential],
            },
        )
    return note


def note_addendum_add(*, acting_user: User, note: CaseNote, body: str) -> NoteAddendum:
    """Add a correction or addition under a note, by someone who may read the note."""
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors write case notes."))
    if not note_is_readable(user=acting_user, note=note):
        raise PermissionDenied(_("Only those who may read a confidential note add to it."))
    if not body.strip():
        raise ValidationError({"body": _("Write the correction or addition.")})
    # Nothing is locked: an addendum is a new row, and neither the note nor the case changes.
    with transaction.atomic():
        addendum = NoteAddendum.objects.create(note_id=note.pk, body=body.strip(), author=acting_user)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=addendum,
            client_ids=case_client_ids(note.case_id),
            changes={"note_id": [None, note.pk], "case_id": [None, note.case_id]},
        )
    return addendum
