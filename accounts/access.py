"""Who may see which client: the one place this rule is decided.

Every selector that returns clients, or records hanging off a client, filters
with `client_scope(user)` (or `client_scope(user, prefix="client__")` from a
related model). A user sees a client through a case (the `CaseAccess` rows
that casework keeps):

- the worker assigned to a case sees its clients;
- the supervisor of that worker's team sees them too;
- caseworkers and supervisors of the case's office see clients of cases that
  are not restricted, where the office shares its cases (an office setting);
- a restricted client or case (a victim of domestic violence, say) is seen
  only by the assigned worker and their supervisor;
- an administrator opens a client's file only through a live break-glass
  grant, given with a written reason;
- a partner system bound to an office (its account holds the partner role and the office) sees
  what the office's caseworkers share: its unrestricted clients, where the office shares cases;
- an auditor reads the audit trail, not client files;
- finance reads the agency's payment files, and no client file;
- a merged client is not listed: their records live on the surviving client;
- a caseworker or supervisor on call for their office (an `OnCallShift` running now) sees the
  office's unrestricted clients, as colleagues of an office that shares its cases do, but only
  while the shift runs; what they read then is audited as on-call access;
- an office manager reads the unrestricted clients and cases of their own office (the rows behind
  its figures), whether or not the office shares its cases among its workers; a restricted one
  stays with its worker and their supervisor. Reading is all: an office manager works no case and
  issues nothing (`may_work_cases` and the other roles' checks leave them out).

The rule works on field names only, so this app needs no import of the
client registry or of casework.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.db.models.lookups import Exact
from django.utils import timezone

from accounts.models import BreakGlassGrant, CaseAccess, OnCallShift, Role, User

NOTHING = Q(pk__in=[])


def signed_in(user: User | AnonymousUser) -> bool:
    """A signed-in, active account: nobody else is shown anything (an AnonymousUser is neither)."""
    return user.is_authenticated and user.is_active


def client_scope(user: User | AnonymousUser, *, prefix: str = "", include_merged: bool = False) -> Q:
    """A filter on Client (or, with `prefix`, on a model related to it) for what `user` may see."""
    if not signed_in(user):
        return NOTHING

    def f(**lookups) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    client_id = OuterRef(f"{prefix}id")
    allowed: list[Q] = []
    # One Exists with the paths OR'ed inside it: PostgreSQL can then check access as a semi-join
    # on the few best name matches instead of two subplans on every candidate (bench_search.py).
    restricted = OuterRef(f"{prefix}restricted")
    rows = _any(
        [
            q
            for q in (
                _own_rows(user),
                _shared_rows(user, client_restricted=restricted),
                _managed_rows(user, client_restricted=restricted),
            )
            if q
        ]
    )
    if rows is not NOTHING:
        allowed.append(Q(Exists(CaseAccess.objects.filter(rows, client_id=client_id))))
    if Role.ADMIN in user.roles:
        granted = BreakGlassGrant.objects.filter(user_id=user.pk, client_id=client_id, expires_at__gt=timezone.now())
        allowed.append(Q(Exists(granted)))
    scope = _any(allowed)
    if scope is not NOTHING and not include_merged:
        scope &= f(merged_into__isnull=True)
    return scope


def own_client_scope(user: User | AnonymousUser) -> Q:
    """A filter on Client for the clients on the user's own cases (a supervisor: their team's too):
    what the home page counts, never the whole office's. Always within `client_scope`."""
    if not signed_in(user):
        return NOTHING
    rows = _own_rows(user)
    if rows is None:
        return NOTHING
    return Q(Exists(CaseAccess.objects.filter(rows, client_id=OuterRef("id")))) & Q(merged_into__isnull=True)


def case_scope(user: User | AnonymousUser, *, prefix: str = "") -> Q:
    """A filter on Case (or, with `prefix`, on a model related to it): the same rule, case by case."""
    if not signed_in(user):
        return NOTHING
    allowed: list[Q] = []
    rows = _any([q for q in (_own_rows(user), _shared_rows(user), _managed_rows(user)) if q])
    if rows is not NOTHING:
        allowed.append(Q(Exists(CaseAccess.objects.filter(rows, case_id=OuterRef(f"{prefix}id")))))
    if Role.ADMIN in user.roles:
        granted = BreakGlassGrant.objects.filter(
            user_id=user.pk, client_id=OuterRef(f"{prefix}primary_client_id"), expires_at__gt=timezone.now()
        )
        allowed.append(Q(Exists(granted)))
    return _any(allowed)


def case_work_scope(user: User | AnonymousUser) -> Q:
    """A filter on Case for the cases `user` may work, that is act on: a caseworker or supervisor
    who sees the case through `case_scope`. Seeing is not working: a partner system or an
    administrator's break-glass grant reads a case and acts on none.

    `casework.services.cases.case_for_work` applies it to one case and refuses the rest."""
    if not signed_in(user) or not may_work_cases(user):
        return NOTHING
    return case_scope(user)


def _own_rows(user: User) -> Q | None:
    """Access rows of cases the user works, or supervises through their team."""
    roles = user.roles
    if Role.CASEWORKER not in roles and Role.SUPERVISOR not in roles:
        return None
    own = Q(worker_id=user.pk)
    if Role.SUPERVISOR in roles:
        # The supervisor of the worker's team, as the row records it (accounts.services.case_access_staff_sync).
        own |= Q(supervisor_id=user.pk)
    return own


def _shared_rows(user: User, *, client_restricted: OuterRef | None = None, on_call: bool = True) -> Q | None:
    """Access rows of unrestricted cases in the user's office, where the office shares them, or
    (unless `on_call` is false) while the user is on call for it.

    With `client_restricted` (the outer client's flag), a restricted client is left out too.
    """
    if not user.office_id or not ({Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER} & user.roles):
        return None
    shared = Q(office_id=user.office_id, restricted=False)
    if not user.office.share_cases_in_office:
        if not on_call:
            return None
        # Where the office shares its cases the on-call worker already sees these rows, so the
        # shift is asked about only here: one uncorrelated EXISTS, evaluated once per query.
        shared &= Q(Exists(on_call_shifts_now(user=user, office_id=user.office_id)))
    if client_restricted is not None:
        shared &= Q(Exact(client_restricted, False))
    return shared


def _managed_rows(user: User, *, client_restricted: OuterRef | None = None) -> Q | None:
    """Access rows of the unrestricted cases of the office the user manages (an office manager).

    Not subject to the office's sharing setting, which is about colleagues covering for each other:
    the office's manager reads the cases behind its figures. With `client_restricted`, a restricted
    client is left out too."""
    if not user.office_id or Role.OFFICE_MANAGER not in user.roles:
        return None
    managed = Q(office_id=user.office_id, restricted=False)
    if client_restricted is not None:
        managed &= Q(Exact(client_restricted, False))
    return managed


def _everyday_rows(user: User) -> Q:
    """Access rows the user sees outside any on-call shift."""
    return _any([q for q in (_own_rows(user), _shared_rows(user, on_call=False), _managed_rows(user)) if q])


def on_call_shifts_now(*, user: User, office_id: int | None = None, at=None):
    """The user's on-call shifts running at `at` (now), for one office if given."""
    at = at or timezone.now()
    shifts = OnCallShift.objects.filter(user_id=user.pk, cancelled_at__isnull=True, starts_at__lte=at, ends_at__gt=at)
    return shifts.filter(office_id=office_id) if office_id is not None else shifts


def on_call_access(user: User, client_ids: Iterable[int]) -> OnCallShift | None:
    """The shift through which the user reads some of `client_ids` now, if any: clients the user
    sees only because they are on call for their office (where it does not share its cases), not
    through their everyday access. A read of their own or their team's clients is not on-call
    access, shift or no shift.

    The shift is looked up once per request (one query); the clients are checked only while a
    shift runs (one more query).
    """
    if not signed_in(user) or not user.office_id:
        return None
    if not hasattr(user, "_on_call_shift"):
        shift = None
        if {Role.CASEWORKER, Role.SUPERVISOR} & user.roles and not user.office.share_cases_in_office:
            shift = on_call_shifts_now(user=user, office_id=user.office_id).select_related("office").first()
        user._on_call_shift = shift
    shift = user._on_call_shift
    ids = {int(i) for i in client_ids}
    if shift is None or not ids:
        return None
    everyday = CaseAccess.objects.filter(_everyday_rows(user), client_id__in=ids).values_list("client_id", flat=True)
    if Role.ADMIN in user.roles:
        # Unordered: SQLite takes no ORDER BY inside a UNION, and grants are ordered by default.
        everyday = everyday.order_by().union(
            BreakGlassGrant.objects.filter(user_id=user.pk, client_id__in=ids, expires_at__gt=timezone.now())
            .order_by()
            .values_list("client_id", flat=True)
        )
    return shift if ids - set(everyday) else None


def may_keep_on_call_roster(user: User, office_id: int | None) -> bool:
    """An office's roster: its supervisors, and administrators of any office."""
    if Role.ADMIN in user.roles:
        return True
    return Role.SUPERVISOR in user.roles and office_id is not None and user.office_id == office_id


def _any(conditions: list[Q]) -> Q:
    if not conditions:
        return NOTHING
    scope = conditions[0]
    for q in conditions[1:]:
        scope |= q
    return scope


def may_reveal_identifier(user: User) -> bool:
    """Full national identifiers are for supervisors and admins; others see the last four."""
    return bool({Role.SUPERVISOR, Role.ADMIN} & user.roles)


def may_register_clients(user: User) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR} & user.roles)


def may_edit_clients(user: User) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN} & user.roles)


def may_merge_clients(user: User) -> bool:
    return Role.SUPERVISOR in user.roles


def may_break_glass(user: User) -> bool:
    return Role.ADMIN in user.roles


def may_read_audit_trail(user: User) -> bool:
    return bool({Role.AUDITOR, Role.ADMIN} & user.roles)


def may_verify_documents(user: User) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR} & user.roles)


def may_work_cases(user: User) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR} & user.roles)


def may_hear_appeals(user: User) -> bool:
    """A hearing officer reads the file of an appeal assigned to them, and nothing else of the client."""
    return Role.HEARING_OFFICER in user.roles


def may_supervise(user: User) -> bool:
    return Role.SUPERVISOR in user.roles


def decider_check(user: User, *, asked_by_id: int | None, refusal: str) -> None:
    """Nobody decides their own request (or recommendation): another person must approve or refuse
    what `asked_by_id` asked for. Raises ValidationError with `refusal`, which says what was asked."""
    if asked_by_id is not None and asked_by_id == user.pk:
        raise ValidationError(refusal)


def may_read_inquiry_statistics(user: User) -> bool:
    """Inquiry figures without names: the office's workers, and auditors across offices."""
    return bool({Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR} & user.roles)


def may_start_payment_runs(user: User) -> bool:
    """A month's payment run: supervisors and administrators (staff with the admin role)."""
    return Role.SUPERVISOR in user.roles or (user.is_staff and Role.ADMIN in user.roles)


def may_see_payment_runs(user: User) -> bool:
    """The runs' pages: whoever starts them, and finance."""
    return Role.FINANCE in user.roles or may_start_payment_runs(user)


def may_download_payment_files(user: User) -> bool:
    """A supervisor's file holds the payments to clients they may see; finance's holds the agency's."""
    return bool({Role.SUPERVISOR, Role.FINANCE} & user.roles)


def may_read_agency_payments(user: User) -> bool:
    """Every payment of a run, whoever the client: finance pays them, and reads no client file."""
    return Role.FINANCE in user.roles


def may_print_mail(user: User) -> bool:
    """The day's letters by post (a batch naming many clients): supervisors and administrators."""
    return bool({Role.SUPERVISOR, Role.ADMIN} & user.roles)


def print_batch_scope(user: User | AnonymousUser, *, prefix: str = "") -> Q:
    """A filter on PrintBatch (or, with `prefix`, a model related to it): the batches a user may
    list, download and mark printed. A batch names many clients of one office, restricted ones
    among them, so it is its own office's: those of that office who print the mail."""
    if not signed_in(user) or not user.office_id:
        return NOTHING
    if not may_print_mail(user):
        return NOTHING
    return Q(**{f"{prefix}office_id": user.office_id})


def may_review_quality(user: User) -> bool:
    """Quality-assurance case reviews: the reviewers, who read the sampled cases' files."""
    return Role.REVIEWER in user.roles


def may_read_dashboards(user: User) -> bool:
    """Figures pages and the monthly reports: supervisors (their team and office), office managers
    (their office), and admins and auditors (the agency, as figures)."""
    return bool({Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.ADMIN, Role.AUDITOR} & user.roles)


def may_see_agency_figures(user: User) -> bool:
    """Every office's figures, without client rows unless the access rule lets them see the client."""
    return bool({Role.ADMIN, Role.AUDITOR} & user.roles)


def may_manage_office(user: User) -> bool:
    """An office manager bound to an office: its dashboard is theirs, and the monthly report is sent to them."""
    return Role.OFFICE_MANAGER in user.roles and user.office_id is not None


def may_read_office_figures(user: User, office_id: int | None) -> bool:
    """One office's dashboard: its supervisors and its office managers; admins and auditors any office's.
    Another office's figures are refused to everyone else."""
    if may_see_agency_figures(user):
        return office_id is not None
    if office_id is None or user.office_id != office_id:
        return False
    return may_supervise(user) or may_manage_office(user)


def monthly_report_recipient_scope() -> Q:
    """A filter on User: who is sent the monthly report when it is made. The report counts every
    office, so: each office's managers, and the administrators who run the agency."""
    managers = Q(groups__name=Role.OFFICE_MANAGER, office__isnull=False)
    return Q(is_active=True) & (managers | Q(groups__name=Role.ADMIN))
