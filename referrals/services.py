"""Referrals: making them, moving them along `Referral.TRANSITIONS`, following them up,
issuing their letter; and importing the resource directory.

What may be shared, and when the client's consent is needed, is `referrals.consent`'s to decide.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from casework.models import Case, Task
from casework.services.tasks import task_complete, task_create
from clients.models import Client, HouseholdMembership
from clients.services import merge_hooks_register, merge_move
from core.status import status_begin, status_check, status_move
from referrals import hsds, letters
from referrals.consent import (
    CONSENT_FIELDS,
    address_protected,
    consent_settle,
    consent_today,
    override_refusal,
    sending_check,
)
from referrals.events import referral_event
from referrals.models import Location, Referral, Service, SharedInfo
from referrals.rules import may_manage_directory, may_refer
from referrals.selectors.referrals import follow_up_due

Action = AuditEvent.Action
S = Referral.Status
CLOSING = {S.DECLINED, S.COMPLETED, S.NOT_COMPLETED, S.WITHDRAWN}


def referral_create(
    *,
    acting_user,
    case: Case,
    client: Client,
    service: Service,
    reason: str,
    urgency: str = Referral.Urgency.ROUTINE,
    shared: list[str] | tuple[str, ...] = (),
    location: Location | None = None,
    send: bool = True,
    consent_override_reason: str = "",
) -> Referral:
    """Refer a member of a case's household to a service; sent at once unless `send` is False.

    Refused when the information shared needs the client's consent and none covers the
    organization today, unless a supervisor overrides with a reason (see the module's note).
    A restricted client's or a confidential address is never shared.
    """
    if not may_refer(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors make referrals."))
    unknown = set(shared) - set(SharedInfo.values)
    shared = [value for value in SharedInfo.values if value in set(shared)]
    override = consent_override_reason.strip()
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the client is referred."
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = "Choose how urgent the referral is."
    if unknown:
        errors["shared"] = f"Unknown kinds of information: {', '.join(sorted(unknown))}."
    if SharedInfo.ADDRESS in shared and address_protected(client, case):
        errors["shared"] = "The address of a restricted client, or a confidential address, is never shared."
    if service.status not in Service.LISTED:
        errors["service"] = f"{service.name} is {service.get_status_display().lower()} and takes no referrals."
    if location is not None and not service.service_locations.filter(location=location).exists():
        errors["location"] = f"{service.name} is not offered at {location}."
    if refusal := override_refusal(acting_user, override):
        errors["consent_override_reason"] = refusal
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Locked so the case cannot close, or change hands, while the referral is made.
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == Case.Status.CLOSED:
            raise ValidationError(_("Case %(number)s is closed; reopen it before referring.") % {"number": case.number})
        is_member = HouseholdMembership.objects.filter(
            household_id=case.household_id, client=client, end_date__isnull=True
        ).exists()
        if client.pk != case.primary_client_id and not is_member:
            raise ValidationError(
                {
                    "client": _("%(full_name)s is not a member of this case's household.")
                    % {"full_name": client.full_name}
                }
            )
        now = timezone.now()
        referral = Referral(
            case=case,
            client=client,
            service=service,
            organization=service.organization,
            location=location,
            reason=reason.strip(),
            urgency=urgency,
            shared=shared,
            created_by=acting_user,
            created_at=now,
            last_moved_at=now,
        )
        consent_settle(acting_user, referral, override)
        referral.save(force_insert=True)
        overridden = referral.consent_override_by_id is not None
        status_begin(referral, acting_user=acting_user, reason="Made", at=now)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=referral,
            client_ids=[client.pk],
            changes={
                "service_id": [None, service.pk],
                "organization": [None, service.organization.name],
                "urgency": [None, urgency],
                "shared": [None, shared],
                "consent_id": [None, referral.consent_id],
                "consent_override": [None, overridden],
            },
            reason=referral.consent_override_reason,
        )
        if send:
            referral = _move(acting_user=acting_user, referral=referral, to=S.SENT)
    return referral


def referral_move(
    *,
    acting_user,
    referral: Referral,
    to: str,
    reason: str = "",
    outcome: str = "",
    consent_override_reason: str = "",
) -> Referral:
    """Move a referral along `Referral.TRANSITIONS`, keeping who moved it and when.

    Declining and withdrawing need a reason; "not completed" needs the outcome (no capacity,
    not eligible, could not contact, client declined). Sending checks consent again.
    """
    if not may_refer(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors move referrals."))
    if refusal := override_refusal(acting_user, consent_override_reason):
        raise ValidationError({"consent_override_reason": refusal})
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        referral = _move(
            acting_user=acting_user,
            referral=referral,
            to=to,
            reason=reason,
            outcome=outcome,
            consent_override_reason=consent_override_reason,
        )
        return referral


def referral_partner_move(
    *,
    organization_account,
    referral: Referral,
    to: str,
    reason: str = "",
    outcome: str = "",
    also: Mapping[str, Any] | None = None,
) -> Referral:
    """The receiving organization moves a referral sent to it (accepts, declines, reports the outcome),
    through its link or its system: the same moves and checks as a worker's, with the organization's
    account as who moved it. The caller (referrals.partners) has locked the row and checked the link;
    `also` holds what the organization's answer sets beside the status (its reason for declining,
    when it first responded), saved and audited with the move."""
    return _move(acting_user=organization_account, referral=referral, to=to, reason=reason, outcome=outcome, also=also)


def _move(
    *,
    acting_user,
    referral: Referral,
    to: str,
    reason: str = "",
    outcome: str = "",
    consent_override_reason: str = "",
    also: Mapping[str, Any] | None = None,
) -> Referral:
    """The move itself, inside the caller's transaction (`core.status.status_move`). Every move of a
    referral passes here, so here, and only here, its event goes to listeners (the API's webhooks)."""
    status_check(referral, to)
    reason = reason.strip()
    if to in (S.DECLINED, S.WITHDRAWN) and not reason:
        raise ValidationError({"reason": _("Say why the referral is %(lower)s.") % {"lower": S(to).label.lower()}})
    if to == S.NOT_COMPLETED and outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": _("Choose why the client did not get the service.")})
    now = timezone.now()
    also = {**(also or {}), "outcome": outcome if to == S.NOT_COMPLETED else "", "last_moved_at": now}
    consent_before = audit_snapshot(referral, CONSENT_FIELDS)
    if to == S.SENT:
        sending_check(acting_user, referral, consent_override_reason.strip())
        also["sent_at"] = now
        if referral.service.is_internal:
            also["intake_task"] = _intake_task(acting_user, referral)
    if to in CLOSING:
        also["closed_at"] = now
    status_move(
        referral,
        to=to,
        acting_user=acting_user,
        client_ids=[referral.client_id],
        reason=reason or consent_override_reason,
        history_reason=reason,
        also={**also, **{name: getattr(referral, name) for name in CONSENT_FIELDS}},
        changes=audit_diff(consent_before, audit_snapshot(referral, CONSENT_FIELDS)),
        history={"outcome": also["outcome"]},
        at=now,
    )
    if to == S.WITHDRAWN and referral.intake_task_id:
        task = Task.objects.get(pk=referral.intake_task_id)
        if task.status == Task.Status.OPEN:
            task_complete(acting_user=acting_user, task=task, status=Task.Status.CANCELLED)
    referral_event(referral=referral, event=f"referral.{to}")
    return referral


def _intake_task(acting_user, referral: Referral) -> Task:
    """A referral to one of the agency's programs: an intake task on the case.

    It goes to the program's intake worker when they work in the case's office (so they
    can open the case), otherwise to the case's worker, who passes it on.
    """
    service, case = referral.service, referral.case
    worker = service.intake_worker
    if worker is None or not worker.is_active or worker.office_id != case.office_id or not may_refer(worker):
        worker = case.assigned_worker
    days = Referral.follow_up_days()[referral.urgency]
    return task_create(
        case=case,
        kind=Task.Kind.INTAKE,
        title=f"Intake for {service.name}: {referral.client.full_name}"[:200],
        due_on=timezone.localdate() + timedelta(days=days),
        assignee=worker,
        details=referral.reason,
        created_by=acting_user,
        dedupe_key=f"referral-intake:{referral.pk}",
    )


def referral_follow_up(*, referral_id: int, today: date | None = None) -> Task | None:
    """Give the case's worker a follow-up task for a referral with no move for its urgency's days.

    Runs from the follow-up job, which may run twice or die halfway: the task's key names the
    referral and the day of its last move, so there is one task per quiet spell, and a
    referral that moved since the job looked is left alone.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = Referral.objects.select_for_update().filter(follow_up_due(today), pk=referral_id).first()
        if referral is None:
            return None
        last_move = timezone.localdate(referral.last_moved_at)
        service = referral.service
        return task_create(
            case=referral.case,
            kind=Task.Kind.FOLLOW_UP,
            title=f"Follow up the referral to {service.name}"[:200],
            due_on=today,
            details=(
                f"{referral.client.full_name}: {referral.get_status_display().lower()} since {last_move:%Y-%m-%d} "
                f"({referral.get_urgency_display().lower()} urgency). Ask {referral.organization.name} "
                "what has happened and record it on the referral."
            ),
            dedupe_key=f"referral-follow-up:{referral.pk}:{last_move.isoformat()}",
        )


def referral_letter_issue(*, acting_user, referral: Referral) -> bytes:
    """The referral letter as a PDF; issuing it is a read of the client's file, and is audited.

    A letter hands the shared information over as sending does, so only an open referral
    (`Referral.OPEN`) has one, and the consent rule is checked again today. (The letter
    itself leaves out an address that has become protected.)
    """
    if not may_refer(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors print referral letters."))
    if referral.status not in Referral.OPEN:
        raise ValidationError(
            _("A referral that is %(lower)s has no letter to print: nothing more is shared with the organization.")
            % {"lower": referral.get_status_display().lower()},
            code="closed",
        )
    consent_today(referral)
    pdf = letters.html_to_pdf(letters.referral_letter_html(referral=referral))
    audit_record(
        actor=acting_user,
        action=Action.DOWNLOAD,
        target=referral,
        client_ids=[referral.client_id],
        changes={"document": "referral letter", "shared": list(referral.shared)},
    )
    return pdf


def directory_import(*, acting_user, source, name: str = "") -> hsds.ImportReport:
    """Import an HSDS datapackage into the directory, all or nothing (see referrals.hsds.importer).

    `acting_user` is None when a management command runs it.
    """
    if acting_user is not None and not may_manage_directory(acting_user):
        raise PermissionDenied(_("Only administrators import the directory."))
    with transaction.atomic():
        report = hsds.import_package(source)
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            object_type="referrals.directory",
            object_id="hsds",
            object_repr="Resource directory",
            changes={"hsds_import": [None, report.summary()]},
            reason=f"HSDS import of {name or source}"[:500],
        )
    return report


# A client merge --------------------------------------------------------------------------


def _on_client_merge(*, acting_user, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    """A merged client's referrals follow them to the surviving record (their consents already have)."""
    return {"referral": merge_move(Referral, survivor=survivor, duplicate=duplicate)}


def register_merge_hook() -> None:
    merge_hooks_register(_on_client_merge)
