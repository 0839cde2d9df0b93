"""The nightly redetermination: households whose facts changed since their last decision are run again.

Change is found by comparing the snapshot built now with the one stored on the last decided
determination, not by `updated_at` timestamps: the client tables do not all carry one, a
snapshot also changes when an income simply ends or a member leaves, and the comparison is
exactly "would the rules see a different household". It costs one snapshot per active
enrollment a night, built in batches (`snapshots_build_many`, four queries per batch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.chain import audit_chain
from audit.models import AuditEvent, AuditEventClient
from casework.models import Task
from casework.services.tasks import task_create
from eligibility import rules
from eligibility.models import Determination, Enrollment
from eligibility.selectors import redetermine_candidates
from eligibility.services.reviews import job_user
from eligibility.services.snapshots import parameter_table, snapshots_build_many

Action = AuditEvent.Action


@dataclass
class RedetermineCounts:
    unchanged: int = 0
    recorded: int = 0
    to_confirm: int = 0
    failed: int = 0


def _dated_items(data: dict) -> set[tuple]:
    """The snapshot's rows as comparable tuples, each with the date it took effect."""
    items = set()
    for kind in ("incomes", "expenses"):
        for row in data.get(kind, ()):
            items.add((kind, tuple(sorted((k, str(v)) for k, v in row.items())), row.get("start"), row.get("end")))
    for row in data.get("members", ()):
        items.add(("members", tuple(sorted((k, str(v)) for k, v in row.items())), None, None))
    for row in data.get("assets", ()):
        items.add(("assets", tuple(sorted((k, str(v)) for k, v in row.items())), None, None))
    return items


def change_effective_on(old: dict, new: dict, *, as_of: date) -> date:
    """The first of the month the household's facts changed.

    The earliest date among what differs: the start of an income or expense that is new or
    changed, the day after one that ended. A difference with no date of its own (a member, an
    asset) counts from the month of `as_of`, when the job saw it.
    """
    differing = _dated_items(old) ^ _dated_items(new)
    days: list[date] = []
    for _kind, _row, start, end in differing:
        if start is None and end is None:
            days.append(as_of)
            continue
        if end is not None and date.fromisoformat(end) < as_of:
            days.append(date.fromordinal(date.fromisoformat(end).toordinal() + 1))
        elif start is not None:
            days.append(date.fromisoformat(start))
    return min(days or [as_of]).replace(day=1)


def redetermine_many(*, enrollment_ids: Iterable[int], run_on: date) -> RedetermineCounts:
    """Redetermine these enrollments for the month of `run_on`, in the caller's transaction.

    Unchanged household: nothing is written. Changed household, same result: a determination
    is recorded and decided by the job (the new facts become the ones the next run compares
    with). Changed result (eligibility or amount): a draft determination flagged as a
    redetermination, with the month the facts changed as its effective date, and a
    "confirm redetermination" task; the worker decides it through `determination_finalise`.
    """
    counts = RedetermineCounts()
    enrollments = list(
        redetermine_candidates(run_on=run_on)
        .filter(pk__in=list(enrollment_ids))
        .select_related("program", "case__assigned_worker")
        .order_by("pk")
    )
    if not enrollments:
        return counts
    last: dict[int, Determination] = {}
    for row in (
        Determination.objects.filter(enrollment__in=enrollments)
        .exclude(status=Determination.Status.DRAFT)
        .order_by("enrollment_id", "-run_at", "-id")
        .distinct("enrollment_id")
        if _distinct_on()
        else Determination.objects.filter(enrollment__in=enrollments)
        .exclude(status=Determination.Status.DRAFT)
        .order_by("-run_at", "-id")
    ).only("id", "enrollment_id", "snapshot", "eligible", "monthly_amount"):
        last.setdefault(row.enrollment_id, row)
    snapshots = snapshots_build_many(
        households={e.case.household_id: (e.application_date, e.program.exempt_asset_kinds) for e in enrollments},
        as_of=run_on,
    )
    params: dict[int, object] = {}
    user = job_user()
    now = timezone.now()
    new_rows: list[Determination] = []
    confirm: list[Enrollment] = []
    for enrollment in enrollments:
        previous = last.get(enrollment.pk)
        snapshot = snapshots.get(enrollment.case.household_id)
        if previous is None or snapshot is None:
            continue
        if isinstance(snapshot, ValidationError):
            counts.failed += 1
            continue
        data = snapshot.to_dict()
        if data == previous.snapshot:
            counts.unchanged += 1
            continue
        module = rules.PROGRAMS[enrollment.program.rules_module]
        try:
            if enrollment.program_id not in params:
                params[enrollment.program_id] = module.parameters_on(run_on, parameter_table(enrollment.program))
            outcome = module.evaluate(snapshot, params[enrollment.program_id], run_on)
        except (rules.RulesError, ValidationError):
            counts.failed += 1
            continue
        stored = outcome.to_dict()
        parameters_used = stored.pop("parameters_used")
        changes_result = not outcome.eligible or outcome.monthly_amount != enrollment.monthly_amount
        row = Determination(
            enrollment=enrollment,
            as_of=run_on,
            snapshot=data,
            outcome=stored,
            parameters_used=parameters_used,
            eligible=outcome.eligible,
            monthly_amount=outcome.monthly_amount,
            copay_percent=outcome.copay_percent,
            run_by=user,
            run_at=now,
            is_redetermination=True,
            effective_on=change_effective_on(previous.snapshot, data, as_of=run_on),
        )
        if changes_result:
            counts.to_confirm += 1
            confirm.append(enrollment)
        else:
            # Same eligibility and amount: nothing for a worker to decide, the job records it.
            row.status = Determination.Status.APPROVED
            row.finalised_by = user
            row.finalised_at = now
            counts.recorded += 1
        new_rows.append(row)
    if not new_rows:
        return counts
    Determination.objects.bulk_create(new_rows)
    _audit_many(new_rows, user)
    for enrollment, row in zip(confirm, [r for r in new_rows if r.status == Determination.Status.DRAFT], strict=True):
        task_create(
            case=enrollment.case,
            kind=Task.Kind.REVIEW,
            title=f"Confirm redetermination: {enrollment.program} from {row.effective_on:%B %Y}",
            due_on=run_on,
            details=(
                f"The household's facts changed; the rules now give "
                f"{'eligible, ' if row.eligible else 'not eligible, '}{row.monthly_amount} a month "
                f"(now {enrollment.monthly_amount}). Approve or deny determination {row.pk}."
            ),
            dedupe_key=f"eligibility-redetermine-{row.pk}",
        )
    return counts


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _audit_many(rows: list[Determination], user) -> None:
    """One audit event per new determination, written in two bulk inserts."""
    from accounts.models import CaseAccess

    case_ids = {row.enrollment.case_id for row in rows}
    clients: dict[int, list[int]] = {}
    for case_id, client_id in CaseAccess.objects.filter(case_id__in=case_ids).values_list("case_id", "client_id"):
        clients.setdefault(case_id, []).append(client_id)
    events = [
        AuditEvent(
            actor=user,
            actor_name=user.get_username(),
            action=Action.CREATE,
            object_type=Determination._meta.label_lower,
            object_id=str(row.pk),
            object_repr=str(row)[:200],
            changes={
                "as_of": [None, row.as_of.isoformat()],
                "eligible": [None, row.eligible],
                "monthly_amount": [None, str(row.monthly_amount)],
                "effective_on": [None, row.effective_on.isoformat()],
                "status": [None, row.status],
            },
            reason="Household facts changed (nightly redetermination)",
        )
        for row in rows
    ]
    subjects = [sorted(set(clients.get(row.enrollment.case_id, ()))) for row in rows]
    with transaction.atomic(savepoint=False):  # the chain's head and the events commit together
        audit_chain(events, subjects)
        events = AuditEvent.objects.bulk_create(events)
        AuditEventClient.objects.bulk_create(
            AuditEventClient(event=event, client_id=client_id)
            for event, client_ids in zip(events, subjects, strict=True)
            for client_id in client_ids
        )
