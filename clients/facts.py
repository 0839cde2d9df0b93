"""Services for a person's dated facts (disability, blindness, student status, homelessness).

Each is one transaction with its audit event, like the finance-record writes in `clients.services`.
A fact is history: recording a new one ends the current fact of the same kind the day before the
new one starts, and an ended fact is never changed again.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.models import Client, PersonFact, Verification
from core.dates import DateKind, plausible_date_error

Action = AuditEvent.Action
Kind = PersonFact.Kind

FACT_FIELDS = [
    "kind",
    "basis",
    "student_exemption",
    "pays_for_shelter",
    "start_date",
    "end_date",
    "verification",
    "verified_by_id",
    "verified_at",
    "note",
]
#: Which field each of PersonFact's check constraints is about, so its message shows beside that field.
CONSTRAINT_FIELDS = {
    "personfact_basis_for_disability_only": "basis",
    "personfact_exemption_for_students_only": "student_exemption",
    "personfact_shelter_for_homelessness_only": "pays_for_shelter",
}


def _check_fact(fact: PersonFact) -> None:
    """The particulars against the kind, by PersonFact's own field choices and check constraints."""
    try:
        fact.clean_fields(exclude=[f.name for f in PersonFact._meta.fields if f.name not in ("kind", "basis")])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    errors: dict[str, list[str]] = {}
    for constraint in PersonFact._meta.constraints:
        if constraint.name in CONSTRAINT_FIELDS:
            try:
                constraint.validate(PersonFact, fact)
            except ValidationError as error:
                errors[CONSTRAINT_FIELDS[constraint.name]] = error.messages
    if errors:
        raise ValidationError(errors)


def _date_error(day: date, client: Client) -> str | None:
    return plausible_date_error(day, DateKind.EVENT, born=client.date_of_birth)


def _repr(fact: PersonFact) -> str:
    return f"{fact.get_kind_display().lower()} of {fact.client}"


def person_fact_record(
    *,
    acting_user,
    client: Client,
    kind: str,
    start_date: date,
    basis: str = "",
    student_exemption: str = "",
    pays_for_shelter: bool | None = None,
    verification: str = Verification.UNVERIFIED,
    note: str = "",
) -> PersonFact:
    """Record that a fact about `client` holds from `start_date` on.

    The person's current fact of the same kind, if any, ends the day before: the trail and the
    client's page keep both. A start on or before the current fact's start, or within an ended
    fact of the kind, is refused, as is a start in the future or before the person was born.
    For disability and blindness the basis is one of the benefits listed in 7 CFR 271.2.
    """
    if kind != Kind.HOMELESSNESS:
        pays_for_shelter = None
    _check_fact(
        PersonFact(
            client=client,
            kind=kind,
            basis=basis,
            student_exemption=student_exemption,
            pays_for_shelter=pays_for_shelter,
        )
    )
    problem = _date_error(start_date, client)
    if problem:
        raise ValidationError({"start_date": problem})
    with transaction.atomic():
        # Two workers recording the same kind at once: the second waits, then ends the first's fact.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = PersonFact.objects.select_for_update().filter(client=client, kind=kind, end_date__isnull=True).first()
        if current is not None:
            if current.start_date >= start_date:
                raise ValidationError(
                    {
                        "start_date": f"The current {current.get_kind_display().lower()} fact starts on "
                        f"{current.start_date:%Y-%m-%d}; a new one must start after it."
                    }
                )
            _end(acting_user=acting_user, fact=current, end_date=start_date - timedelta(days=1))
        overlapping = (
            PersonFact.objects.filter(client=client, kind=kind, end_date__gte=start_date)
            .exclude(pk=getattr(current, "pk", None))
            .order_by("start_date")
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {
                    "start_date": f"A {overlapping.get_kind_display().lower()} fact already covers "
                    f"{overlapping.start_date:%Y-%m-%d} to {overlapping.end_date:%Y-%m-%d}; start after it."
                }
            )
        fact = PersonFact(
            client=client,
            kind=kind,
            basis=basis,
            student_exemption=student_exemption,
            pays_for_shelter=pays_for_shelter,
            start_date=start_date,
            verification=verification,
            note=note.strip(),
            recorded_by=acting_user,
        )
        if verification == Verification.VERIFIED:
            fact.verified_by = acting_user
            fact.verified_at = timezone.now()
        fact.save()
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=fact,
            object_repr=_repr(fact),
            client_ids=[client.pk],
            changes=audit_diff({}, audit_snapshot(fact, FACT_FIELDS)),
        )
    return fact


def _end(*, acting_user, fact: PersonFact, end_date: date) -> None:
    fact.end_date = end_date
    fact.save(update_fields=["end_date"])
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        target=fact,
        object_repr=_repr(fact),
        client_ids=[fact.client_id],
        changes={"end_date": [None, end_date.isoformat()]},
    )


def person_fact_end(*, acting_user, fact: PersonFact, end_date: date) -> PersonFact:
    """The fact stopped holding on `end_date` (its last day). An ended fact is not ended again."""
    with transaction.atomic():
        fact = PersonFact.objects.select_for_update().select_related("client").get(pk=fact.pk)
        if fact.end_date is not None:
            raise ValidationError(f"This fact already ended on {fact.end_date:%Y-%m-%d}.")
        problem = _date_error(end_date, fact.client)
        if problem:
            raise ValidationError({"end_date": problem})
        if end_date < fact.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})
        _end(acting_user=acting_user, fact=fact, end_date=end_date)
    return fact


def person_fact_verify(*, acting_user, fact: PersonFact, verification: str) -> PersonFact:
    """Set how far the fact is verified; who verified it, and when, is kept with a Verified status."""
    if verification not in Verification.values:
        raise ValidationError({"verification": "Choose a verification status."})
    with transaction.atomic():
        fact = PersonFact.objects.select_for_update().select_related("client").get(pk=fact.pk)
        before = audit_snapshot(fact, ["verification", "verified_by_id", "verified_at"])
        if fact.verification == verification:
            return fact
        fact.verification = verification
        if verification == Verification.VERIFIED:
            fact.verified_by, fact.verified_at = acting_user, timezone.now()
        else:
            fact.verified_by, fact.verified_at = None, None
        fact.save(update_fields=["verification", "verified_by", "verified_at"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=fact,
            object_repr=_repr(fact),
            client_ids=[fact.client_id],
            changes=audit_diff(before, audit_snapshot(fact, ["verification", "verified_by_id", "verified_at"])),
        )
    return fact


def person_facts_before_merge(*, acting_user, survivor: Client, duplicate: Client) -> None:
    """One current fact of a kind per person after a merge: where both records have one, the
    later-starting stays current and the other ends the day before it began (audited, as any
    end). Called by the merge, in its transaction, before the facts move."""
    for fact in PersonFact.objects.select_for_update().filter(client=duplicate, end_date__isnull=True):
        kept = (
            PersonFact.objects.select_for_update()
            .filter(client=survivor, kind=fact.kind, end_date__isnull=True)
            .first()
        )
        if kept is None:
            continue
        earlier, later = (fact, kept) if fact.start_date <= kept.start_date else (kept, fact)
        _end(
            acting_user=acting_user,
            fact=earlier,
            end_date=max(earlier.start_date, later.start_date - timedelta(days=1)),
        )
