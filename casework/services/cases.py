"""Opening, moving and assigning cases, and keeping who-may-see-whom in step."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import CaseAccess, User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import (
    Case,
    CaseAssignment,
    CaseNumberSequence,
    Inquiry,
    OfficeTransfer,
    Plan,
    ScheduledActivity,
)
from clients import services as client_services
from clients.models import Client, Household, HouseholdMembership
from core.status import status_begin, status_check, status_move

Action = AuditEvent.Action


def _next_case_number(year: int) -> str:
    """The next readable number of the year (2026-000123), taken under a row lock so no two cases share one."""
    CaseNumberSequence.objects.get_or_create(year=year)
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


def case_client_ids(case_id: int) -> list[int]:
    """The clients whose file a change to this case touches: the case's access rows."""
    return list(CaseAccess.objects.filter(case_id=case_id).values_list("client_id", flat=True))


def _case_clients(case: Case) -> list[Client]:
    """The household's current members, and the primary client whatever their membership."""
    members = Client.objects.filter(
        memberships__household_id=case.household_id, memberships__end_date__isnull=True
    ).select_for_update(of=("self",))
    clients = {c.pk: c for c in members}
    clients.setdefault(case.primary_client_id, case.primary_client)
    return list(clients.values())


def case_access_sync(*, case: Case) -> None:
    """Rewrite the access rows of a case from its worker, office, restriction and members.

    Called inside the transaction of every change that alters who may see the case's clients.
    """
    clients = _case_clients(case)
    existing = {row.client_id: row for row in CaseAccess.objects.select_for_update().filter(case_id=case.pk)}
    # One restricted member closes the whole case to colleagues: its pages name every member.
    restricted = case.restricted or any(client.restricted for client in clients)
    team_id, supervisor_id = User.objects.filter(pk=case.assigned_worker_id).values_list(
        "team_id", "team__supervisor_id"
    ).first() or (None, None)
    for client in clients:
        values = {
            "office_id": case.office_id,
            "worker_id": case.assigned_worker_id,
            "team_id": team_id,
            "supervisor_id": supervisor_id,
            "restricted": restricted,
        }
        row = existing.pop(client.pk, None)
        if row is None:
            CaseAccess.objects.create(case_id=case.pk, client_id=client.pk, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            CaseAccess.objects.filter(pk=row.pk).update(**values)
    # Former members keep being seen by the case's worker (their history is on the case),
    # but the rows follow the case's worker and restriction.
    if existing:
        CaseAccess.objects.filter(pk__in=[r.pk for r in existing.values()]).update(
            office_id=case.office_id,
            worker_id=case.assigned_worker_id,
            team_id=team_id,
            supervisor_id=supervisor_id,
            restricted=True,
        )


def case_for_work(*, user: User, case: Case, lock: bool = False, refusal: str | None = None) -> Case:
    """The case, read again, if `user` may work it now (`accounts.access.case_work_scope`); refused
    with PermissionDenied (`refusal`, or "You may not work this case.") otherwise.

    Every service that acts on a case for a caller (a page, the API, another app) asks here, so an
    on-call shift that has ended, a transfer to another office or a restriction counts at once.
    With `lock` the case's row stays locked until the caller's transaction ends.
    """
    cases = Case.objects.filter(access.case_work_scope(user), pk=case.pk)
    if lock:
        cases = cases.select_for_update()
    workable = cases.first()
    if workable is None:
        raise PermissionDenied(refusal or _("You may not work this case."))
    return workable


def _check_worker(*, worker: User, office_id: int) -> None:
    if not worker.is_active or not access.may_work_cases(worker):
        raise ValidationError({"worker": _("%(worker)s cannot be assigned cases.") % {"worker": worker}})
    if worker.office_id != office_id:
        raise ValidationError(
            {
                "worker": _("%(worker)s works in another office; transfer the case between offices first.")
                % {"worker": worker}
            }
        )


@dataclass(frozen=True)
class CaseloadCheck:
    open_cases: int
    recommended: int
    maximum: int

    @property
    def over_recommended(self) -> bool:
        return self.open_cases >= self.recommended

    @property
    def at_maximum(self) -> bool:
        return self.open_cases >= self.maximum


def caseload_check(*, worker: User) -> CaseloadCheck:
    """How many active cases the worker has, against their office's limits."""
    office = worker.office
    count = Case.objects.filter(assigned_worker=worker, status__in=Case.ACTIVE).count()
    return CaseloadCheck(open_cases=count, recommended=office.recommended_caseload, maximum=office.maximum_caseload)


def caseload_after_moving(
    *, worker: User, adding: int, override_reason: str, field: str, acting_user: User | None = None
) -> tuple[CaseloadCheck, int]:
    """The worker's caseload check and their count once `adding` active cases come to them.

    Past the office's maximum only with a reason, asked for on the form's `field`, and, when
    `acting_user` is given, only by a supervisor. The worker is locked so two moves at the same
    moment cannot both slip under the maximum.
    """
    User.objects.select_for_update().filter(pk=worker.pk).first()
    check = caseload_check(worker=worker)
    after = check.open_cases + adding
    if after > check.maximum:
        if acting_user is not None and not access.may_supervise(acting_user):
            raise ValidationError(
                {
                    "worker": _("%(worker)s already has %(open_cases)s cases, the office's maximum of %(maximum)s.")
                    % {"worker": worker, "open_cases": check.open_cases, "maximum": check.maximum}
                }
            )
        if not override_reason.strip():
            raise ValidationError(
                {
                    field: _(
                        "%(worker)s would have %(after)s cases, over the office's maximum of %(maximum)s. "
                        "Give a reason to go over it."
                    )
                    % {"worker": worker, "after": after, "maximum": check.maximum}
                }
            )
    return check, after


def case_assign(
    *,
    acting_user: User,
    case: Case,
    to_worker: User,
    reason: str,
    override_reason: str = "",
    to_office_id: int | None = None,
    now=None,
) -> None:
    """Give a locked `case` to `to_worker` (and to `to_office_id`, moving between offices): the
    current assignment ends, the new one starts with its reason, the case's access rows follow,
    and the move is audited. The caller has checked the worker and their caseload."""
    now = now or timezone.now()
    previous = case.assigned_worker_id
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    CaseAssignment.objects.create(
        case=case,
        worker=to_worker,
        assigned_by=acting_user,
        started_at=now,
        reason=reason,
        override_reason=override_reason,
    )
    changes = {"assigned_worker_id": [previous, to_worker.pk]}
    case.assigned_worker = to_worker
    fields = ["assigned_worker"]
    if to_office_id is not None and to_office_id != case.office_id:
        changes = {"office_id": [case.office_id, to_office_id], **changes}
        case.office_id = to_office_id
        fields.append("office")
    case.save(update_fields=fields)
    case_access_sync(case=case)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        target=case,
        client_ids=case_client_ids(case.pk),
        changes=changes,
        reason=reason,
    )


def case_open(
    *,
    acting_user: User,
    household: Household,
    primary_client: Client,
    worker: User | None = None,
    restricted: bool = False,
    opened_on: date | None = None,
    override_reason: str = "",
) -> Case:
    """Open a case for a household, in intake, assigned to `worker` (by default the person opening it)."""
    worker = worker or acting_user
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors open cases."))
    if not HouseholdMembership.objects.filter(
        household=household, client=primary_client, end_date__isnull=True
    ).exists():
        raise ValidationError({"primary_client": _("The primary client must be a current member of the household.")})
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("A case cannot be opened in the future.")})
    office_id = acting_user.office_id
    if office_id is None:
        raise ValidationError({"worker": _("You need an office before you can open cases.")})
    if worker.pk != acting_user.pk and not access.may_supervise(acting_user):
        raise PermissionDenied(_("Only a supervisor opens a case for another worker."))
    _check_worker(worker=worker, office_id=office_id)
    with transaction.atomic():
        caseload_after_moving(
            worker=worker, adding=1, override_reason=override_reason, field="override_reason", acting_user=acting_user
        )
        case = Case.objects.create(
            number=_next_case_number(opened_on.year),
            household=household,
            primary_client=primary_client,
            office_id=office_id,
            assigned_worker=worker,
            restricted=restricted,
            opened_on=opened_on,
        )
        status_begin(case, acting_user=acting_user, reason="Opened")
        CaseAssignment.objects.create(
            case=case, worker=worker, assigned_by=acting_user, reason="Opened", override_reason=override_reason
        )
        case_access_sync(case=case)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=case,
            client_ids=[c.pk for c in _case_clients(case)],
            changes={
                "number": [None, case.number],
                "status": [None, case.status],
                "assigned_worker_id": [None, worker.pk],
                "restricted": [None, restricted],
            },
            reason=override_reason,
        )
    return case


def case_transition(*, acting_user: User, case: Case, to: str, reason: str = "", closure_reason: str = "") -> Case:
    """Move a case along `Case.TRANSITIONS`; closing needs a closure reason and reopening a reason."""
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors change a case's status."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        status_check(case, to)
        also = {}
        if to == Case.Status.CLOSED:
            if closure_reason not in Case.ClosureReason.values:
                raise ValidationError({"closure_reason": _("Choose why the case is closing.")})
            also = {"closed_on": timezone.localdate(), "closure_reason": closure_reason}
        elif case.status == Case.Status.CLOSED:
            if not reason.strip():
                raise ValidationError({"reason": _("Say why the case is reopened.")})
            also = {"closed_on": None, "closure_reason": ""}
        if to == Case.Status.SUSPENDED and not reason.strip():
            raise ValidationError({"reason": _("Say why the case is suspended.")})
        status_move(
            case,
            to=to,
            acting_user=acting_user,
            client_ids=case_client_ids(case.pk),
            reason=reason,
            history_reason=reason or (Case.ClosureReason(closure_reason).label if to == Case.Status.CLOSED else ""),
            also=also,
        )
    return case


@dataclass
class TransferResult:
    moved: list[Case]
    warnings: list[str]


def case_transfer(
    *, acting_user: User, cases: list[Case], to_worker: User, reason: str, override_reason: str = ""
) -> TransferResult:
    """A supervisor moves one or many cases to another worker of the same office, with a reason.

    Past the worker's recommended caseload it warns; past the maximum it refuses unless the
    supervisor gives an override reason. The assignment history is kept.
    """
    if not access.may_supervise(acting_user):
        raise PermissionDenied(_("Only a supervisor transfers cases."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the cases are transferred.")})
    if not cases:
        raise ValidationError(_("Choose at least one case to transfer."))
    warnings: list[str] = []
    moved: list[Case] = []
    with transaction.atomic():
        locked = list(Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk"))
        for case in locked:
            _check_worker(worker=to_worker, office_id=case.office_id)
        movable = [c for c in locked if c.assigned_worker_id != to_worker.pk]
        check, after = caseload_after_moving(
            worker=to_worker,
            adding=sum(1 for c in movable if c.is_active),
            override_reason=override_reason,
            field="override_reason",
        )
        if after > check.recommended:
            warnings.append(f"{to_worker} now has {after} cases, more than the recommended {check.recommended}.")
        now = timezone.now()
        for case in movable:
            case_assign(
                acting_user=acting_user,
                case=case,
                to_worker=to_worker,
                reason=reason,
                override_reason=override_reason if after > check.maximum else "",
                now=now,
            )
            moved.append(case)
    return TransferResult(moved=moved, warnings=warnings)


def case_set_restricted(*, acting_user: User, case: Case, restricted: bool, reason: str) -> Case:
    """Restrict a case to its worker and their supervisor, or lift that, with a reason.

    A worker may restrict a case at once; only a supervisor lifts a restriction.
    """
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors restrict cases."))
    if not restricted and not access.may_supervise(acting_user):
        raise PermissionDenied(_("Only a supervisor lifts a restriction."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.restricted == restricted:
            return case
        case.restricted = restricted
        case.save(update_fields=["restricted"])
        case_access_sync(case=case)
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=case,
            client_ids=case_client_ids(case.pk),
            changes={"restricted": [not restricted, restricted]},
            reason=reason,
        )
    return case


def case_record_contact(*, case: Case, contact_at) -> None:
    """Keep the case's last contact time (for 'no contact in N days'); never moves it backwards."""
    Case.objects.filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=contact_at), pk=case.pk).update(
        last_contact_at=contact_at
    )


def _merge_plans(*, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    """Move the duplicate's plans. Versions count per case, client and kind, so where the survivor
    has plans of the same kind on the same case, the duplicate's versions carry on after the
    survivor's latest; and as a plan has one draft at a time, the duplicate's draft is then
    superseded by the survivor's (it stays readable, as every superseded version does)."""
    moved: list[int] = []
    superseded: list[int] = []
    pairs = Plan.objects.filter(client=duplicate).values_list("case_id", "kind").distinct().order_by()
    for case_id, kind in list(pairs):
        theirs = Plan.objects.select_for_update().filter(client=survivor, case_id=case_id, kind=kind)
        latest = theirs.aggregate(latest=Max("version"))["latest"] or 0
        ours = Plan.objects.select_for_update().filter(client=duplicate, case_id=case_id, kind=kind)
        ids = list(ours.values_list("pk", flat=True))
        if theirs.filter(status=Plan.Status.DRAFT).exists():
            drafts = list(ours.filter(status=Plan.Status.DRAFT).values_list("pk", flat=True))
            Plan.objects.filter(pk__in=drafts).update(status=Plan.Status.SUPERSEDED)
            superseded.extend(drafts)
        # The new versions are all above the survivor's latest: no two rows ever share one.
        Plan.objects.filter(pk__in=ids).update(client=survivor, version=F("version") + latest)
        moved.extend(ids)
    return {"plan": moved, "plan_draft_superseded": superseded}


def _on_client_merge(*, acting_user: User, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    """A merged client's cases, access, plans, attendance and inquiries follow them to the surviving record."""
    if OfficeTransfer.objects.filter(client=duplicate, status=OfficeTransfer.Status.REQUESTED).exists():
        raise ValidationError(
            _(
                "A transfer of client %(pk)s to another office is waiting: "
                "it is accepted, declined or withdrawn before the records are merged."
            )
            % {"pk": duplicate.pk}
        )
    moved = {
        "case": client_services.merge_move(Case, survivor=survivor, duplicate=duplicate, field="primary_client"),
        "officetransfer": client_services.merge_move(OfficeTransfer, survivor=survivor, duplicate=duplicate),
        **_merge_plans(survivor=survivor, duplicate=duplicate),
        "scheduledactivity": client_services.merge_move(ScheduledActivity, survivor=survivor, duplicate=duplicate),
        "inquiry": client_services.merge_move(Inquiry, survivor=survivor, duplicate=duplicate),
    }
    for row in CaseAccess.objects.filter(client_id=duplicate.pk):
        if CaseAccess.objects.filter(case_id=row.case_id, client_id=survivor.pk).exists():
            continue
        CaseAccess.objects.filter(pk=row.pk).update(client_id=survivor.pk)
    return moved


def _on_client_change(*, client: Client) -> None:
    """A client's restriction or household changed: rewrite the access rows of every case they are in."""
    cases = Case.objects.filter(
        Q(primary_client=client)
        | Q(household__memberships__client=client)
        | Q(pk__in=CaseAccess.objects.filter(client_id=client.pk).values("case_id"))
    ).distinct()
    for case in cases.select_related("primary_client"):
        case_access_sync(case=case)


def register_merge_hook() -> None:
    client_services.merge_hooks_register(_on_client_merge)
    client_services.change_hooks_register(_on_client_change)


def case_view_record(*, acting_user: User, case: Case, page: str) -> None:
    """A page of a case was shown: a read of its clients' file."""
    audit_record(
        actor=acting_user,
        action=Action.VIEW,
        target=case,
        client_ids=case_client_ids(case.pk),
        changes={"page": page},
    )
