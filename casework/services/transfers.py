"""Moving a client and their open cases to another office: the sending office's supervisor asks,
the receiving office's supervisor accepts (naming the worker) or declines.

On acceptance, in one transaction: the client's office, the office of the households of the
moved cases (and of their current members registered at the sending office), each case's office
and worker (with its assignment history), and the cases' access rows are rewritten, and each
change is in the audit trail. A restricted client or case stays restricted: the access rows
carry the flags over, so at the new office only the new worker and their supervisor see them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import CaseAccess, Office, User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, OfficeTransfer
from casework.services.cases import _check_worker, case_assign, caseload_after_moving
from clients import services as client_services
from clients.models import Client, HouseholdMembership
from core.status import status_check, status_move

Action = AuditEvent.Action
Status = OfficeTransfer.Status


def transfer_open_cases(*, client: Client) -> list[Case]:
    """The active cases of the client's office that the client is in: what a transfer moves."""
    in_cases = CaseAccess.objects.filter(client_id=client.pk).values("case_id")
    return list(
        Case.objects.filter(pk__in=in_cases, status__in=Case.ACTIVE, office_id=client.office_id)
        .select_related("primary_client", "assigned_worker")
        .order_by("number")
    )


def office_transfer_check_requester(*, acting_user: User, client: Client) -> None:
    """Only a supervisor of the client's office asks for the client's transfer (the page and the service)."""
    if not access.may_supervise(acting_user) or acting_user.office_id != client.office_id:
        raise PermissionDenied(_("Only a supervisor of the client's office asks for a transfer."))


def office_transfer_request(*, acting_user: User, client: Client, to_office: Office, reason: str) -> OfficeTransfer:
    """The sending office's supervisor asks another office to take a client and their open cases."""
    office_transfer_check_requester(acting_user=acting_user, client=client)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the client moves to another office.")})
    if to_office.pk == client.office_id:
        raise ValidationError({"to_office": _("The client is already registered at this office.")})
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        if client.is_merged:
            raise ValidationError(_("This client was merged into another record; transfer that one."))
        if OfficeTransfer.objects.filter(client=client, status=Status.REQUESTED).exists():
            raise ValidationError(_("A transfer of this client is already waiting for the receiving office."))
        cases = transfer_open_cases(client=client)
        if not cases:
            raise ValidationError(_("The client has no open case at this office: open one, or register them there."))
        transfer = OfficeTransfer.objects.create(
            client=client,
            from_office_id=client.office_id,
            to_office=to_office,
            reason=reason.strip(),
            requested_by=acting_user,
        )
        transfer.cases.set(cases)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=transfer,
            client_ids=[client.pk],
            changes={
                "status": [None, transfer.status],
                "from_office_id": [None, transfer.from_office_id],
                "to_office_id": [None, to_office.pk],
                "case_ids": [None, [c.pk for c in cases]],
            },
            reason=transfer.reason,
        )
    return transfer


def _locked(transfer: OfficeTransfer, to: str) -> OfficeTransfer:
    """The transfer, locked, once it is sure it may become `to` (before anything else is done)."""
    transfer = OfficeTransfer.objects.select_for_update().get(pk=transfer.pk)
    status_check(transfer, to)
    return transfer


def _decide(transfer: OfficeTransfer, *, to: str, acting_user: User, note: str, **also) -> None:
    """The end of a waiting transfer: accepted, declined (by the receiving office) or cancelled (by the sender)."""
    if to != Status.CANCELLED:
        also["decided_by"] = acting_user
    status_move(
        transfer,
        to=to,
        acting_user=acting_user,
        client_ids=[transfer.client_id],
        reason=note.strip(),
        also={**also, "decided_at": timezone.now(), "decision_note": note.strip()},
    )


def _check_receiver(acting_user: User, transfer: OfficeTransfer) -> None:
    if not access.may_supervise(acting_user) or acting_user.office_id != transfer.to_office_id:
        raise PermissionDenied(_("Only a supervisor of the receiving office accepts or declines a transfer."))
    access.decider_check(
        acting_user, asked_by_id=transfer.requested_by_id, refusal=_("Nobody decides their own request.")
    )


def office_transfer_accept(
    *, acting_user: User, transfer: OfficeTransfer, to_worker: User, note: str = ""
) -> OfficeTransfer:
    """The receiving office's supervisor takes the client: everything is rewritten now, in one transaction."""
    _check_receiver(acting_user, transfer)
    with transaction.atomic():
        transfer = _locked(transfer, Status.ACCEPTED)
        _check_worker(worker=to_worker, office_id=transfer.to_office_id)
        from_office_id, to_office_id = transfer.from_office_id, transfer.to_office_id
        client = Client.objects.select_for_update().get(pk=transfer.client_id)
        if client.is_merged:
            raise ValidationError(_("This client was merged into another record since; ask again for the survivor."))
        cases = list(
            Case.objects.select_for_update()
            .filter(pk__in=transfer.cases.values("pk"), status__in=Case.ACTIVE, office_id=from_office_id)
            .order_by("pk")
        )
        check, after = caseload_after_moving(worker=to_worker, adding=len(cases), override_reason=note, field="note")
        now = timezone.now()
        household_ids = {case.household_id for case in cases}
        # The household moves with its cases; its members registered at the sending office move too.
        members = set(
            HouseholdMembership.objects.filter(
                household_id__in=household_ids, end_date__isnull=True, client__office_id=from_office_id
            ).values_list("client_id", flat=True)
        )
        for case in cases:
            case_assign(
                acting_user=acting_user,
                case=case,
                to_worker=to_worker,
                reason=f"Transferred between offices: {transfer.reason}",
                override_reason=note if after > check.maximum else "",
                to_office_id=to_office_id,
                now=now,
            )
        # Then the people and their households, whose change hooks bring every case's access rows along.
        client_services.clients_office_move(
            acting_user=acting_user,
            client_ids=members | {client.pk},
            household_ids=household_ids,
            from_office_id=from_office_id,
            to_office_id=to_office_id,
            reason=transfer.reason,
        )
        _decide(transfer, to=Status.ACCEPTED, acting_user=acting_user, note=note, to_worker=to_worker)
    return transfer


def office_transfer_decline(*, acting_user: User, transfer: OfficeTransfer, note: str) -> OfficeTransfer:
    """The receiving office's supervisor declines, saying why; nothing moves."""
    _check_receiver(acting_user, transfer)
    if not note.strip():
        raise ValidationError({"note": _("Say why the transfer is declined: the sending office reads it.")})
    with transaction.atomic():
        _decide(transfer, to=Status.DECLINED, acting_user=acting_user, note=note)
    return transfer


def office_transfer_cancel(*, acting_user: User, transfer: OfficeTransfer, note: str = "") -> OfficeTransfer:
    """The sending office withdraws its request before the receiving office decides."""
    if not access.may_supervise(acting_user) or acting_user.office_id != transfer.from_office_id:
        raise PermissionDenied(_("Only a supervisor of the sending office withdraws a transfer."))
    with transaction.atomic():
        _decide(transfer, to=Status.CANCELLED, acting_user=acting_user, note=note)
    return transfer
