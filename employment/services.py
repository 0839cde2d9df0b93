"""The verbs of employment services: employers, openings, referrals to openings, placements, group sessions.

Attendance and tasks are casework's: a placement schedules its hours and its retention checks
through casework's services, and a group session's attendance is written through
`attendance_week_record`, so the monthly participation counts what was attended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_value
from casework.models import Case, Task, WorkActivity
from casework.selectors.attendance import week_start
from casework.services.attendance import (
    DAY_HOURS,
    AttendanceRow,
    attendance_week_record,
    scheduled_activity_create,
    scheduled_session_create,
)
from casework.services.cases import case_for_work
from casework.services.plans import check_client_of_case, plan_activity_in_force
from casework.services.tasks import task_create
from clients.models import Client
from core.status import status_move
from employment.models import (
    ClientSkill,
    DevelopmentContact,
    Employer,
    EmployerContact,
    GroupSession,
    JobOpening,
    JobReferral,
    Placement,
    RosterEntry,
)

Action = AuditEvent.Action

#: Days after the start of a job when the worker checks the client is still in it. Job retention
#: is commonly measured at these points (30, 90, 180 days) in work programs.
RETENTION_DAYS = (30, 90, 180)
#: A session is held on one day.
MAX_SESSION_HOURS = DAY_HOURS
#: The employment plan's activity each kind of session carries out.
SESSION_PLAN_ACTIVITY = {
    GroupSession.Kind.JOB_CLUB: WorkActivity.Kind.JOB_CLUB,
    GroupSession.Kind.TRAINING: WorkActivity.Kind.TRAINING,
    GroupSession.Kind.JOB_SKILLS: WorkActivity.Kind.JOB_READINESS,
    GroupSession.Kind.JOB_FAIR: WorkActivity.Kind.JOB_SEARCH,
}


def _check_may_work(user: User) -> None:
    if not access.may_work_cases(user):
        raise PermissionDenied(_("Only caseworkers and supervisors do this."))


def _check_office(user: User, office_id: int) -> None:
    if user.office_id != office_id:
        raise PermissionDenied(_("This belongs to another office."))


def _check_case(user: User, case: Case, client: Client) -> Case:
    """The case, locked, if the user may work it and the client is on it; refused otherwise."""
    case = case_for_work(user=user, case=case, lock=True)
    if not case.is_active:
        raise ValidationError(
            _("Case %(number)s is %(status)s.") % {"number": case.number, "status": case.get_status_display().lower()}
        )
    if not Client.objects.filter(access.client_scope(user), pk=client.pk).exists():
        raise PermissionDenied(_("You may not see this client."))
    check_client_of_case(case=case, client=client)
    return case


def normalize_skill(name: str) -> str:
    return " ".join(name.lower().split())


def skills_from_text(text: str) -> list[str]:
    """'Forklift, food handling;  Cash' -> ['forklift', 'food handling', 'cash'] (order kept, once each)."""
    seen: list[str] = []
    for part in text.replace(";", ",").split(","):
        skill = normalize_skill(part)
        if skill and skill not in seen:
            seen.append(skill[:80])
    return seen


# Employers -------------------------------------------------------------------------------------------


def employer_create(
    *, acting_user: User, name: str, industry: str = "", address: str = "", phone: str = "", organization=None
) -> Employer:
    _check_may_work(acting_user)
    if not name.strip():
        raise ValidationError({"name": _("Name the employer.")})
    with transaction.atomic():
        employer = Employer.objects.create(
            office_id=acting_user.office_id,
            organization=organization,
            name=name.strip(),
            industry=industry.strip(),
            address=address.strip(),
            phone=phone.strip(),
            created_by=acting_user,
        )
        audit_record(actor=acting_user, action=Action.CREATE, target=employer, changes={"name": [None, employer.name]})
    return employer


def employer_contact_add(
    *, acting_user: User, employer: Employer, name: str, title: str = "", phone: str = "", email: str = ""
) -> EmployerContact:
    _check_may_work(acting_user)
    _check_office(acting_user, employer.office_id)
    if not name.strip():
        raise ValidationError({"name": _("Name the contact.")})
    with transaction.atomic():
        contact = EmployerContact.objects.create(
            employer=employer, name=name.strip(), title=title.strip(), phone=phone.strip(), email=email.strip()
        )
        audit_record(actor=acting_user, action=Action.CREATE, target=contact, changes={"name": [None, contact.name]})
    return contact


def development_contact_record(
    *,
    acting_user: User,
    employer: Employer,
    kind: str,
    contacted_on: date,
    summary: str,
    contact: EmployerContact | None = None,
) -> DevelopmentContact:
    """Log a job development contact with an employer (a visit, a call)."""
    _check_may_work(acting_user)
    _check_office(acting_user, employer.office_id)
    errors = {}
    if kind not in DevelopmentContact.Kind.values:
        errors["kind"] = _("Choose how you were in contact.")
    if contacted_on is None or contacted_on > timezone.localdate():
        errors["contacted_on"] = _("Give the day of the contact (not in the future).")
    if not summary.strip():
        errors["summary"] = _("Say what came of it.")
    if contact is not None and contact.employer_id != employer.pk:
        errors["contact"] = _("Choose a contact at %(employer)s.") % {"employer": employer}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = DevelopmentContact.objects.create(
            employer=employer,
            contact=contact,
            kind=kind,
            contacted_on=contacted_on,
            summary=summary.strip(),
            worker=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=row,
            changes={"kind": [None, kind], "on": [None, str(contacted_on)]},
        )
    return row


# Openings --------------------------------------------------------------------------------------------


def opening_create(
    *,
    acting_user: User,
    employer: Employer,
    title: str,
    hourly_wage: Decimal,
    weekly_hours: Decimal,
    requirements: str = "",
    skills: str = "",
    location: str = "",
    closes_on: date | None = None,
    positions: int = 1,
) -> JobOpening:
    """A job opening an employer offers; `skills` as typed ('forklift, food handling')."""
    _check_may_work(acting_user)
    _check_office(acting_user, employer.office_id)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the job title.")
    if hourly_wage is None or hourly_wage <= 0:
        errors["hourly_wage"] = _("The wage must be more than zero.")
    if weekly_hours is None or not Decimal("0") < weekly_hours <= Decimal("80"):
        errors["weekly_hours"] = _("Weekly hours are more than 0 and at most 80.")
    if closes_on is not None and closes_on < timezone.localdate():
        errors["closes_on"] = _("The closing date has passed.")
    if positions is None or positions < 1:
        errors["positions"] = _("At least one position.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opening = JobOpening.objects.create(
            employer=employer,
            title=title.strip(),
            hourly_wage=hourly_wage,
            weekly_hours=weekly_hours,
            requirements=requirements.strip(),
            skills=skills_from_text(skills),
            location=location.strip(),
            closes_on=closes_on,
            positions=positions,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=opening,
            changes={"title": [None, opening.title], "hourly_wage": [None, audit_value(hourly_wage)]},
        )
    return opening


def _move(obj, to: str, acting_user: User, *, client_ids=(), reason: str = "") -> None:
    status_move(obj, to=to, acting_user=acting_user, client_ids=client_ids, reason=reason)


def opening_transition(*, acting_user: User, opening: JobOpening, to: str, reason: str = "") -> JobOpening:
    _check_may_work(acting_user)
    with transaction.atomic():
        opening = JobOpening.objects.select_for_update(of=("self",)).select_related("employer").get(pk=opening.pk)
        _check_office(acting_user, opening.employer.office_id)
        _move(opening, to, acting_user, reason=reason)
    return opening


# Skills and referrals ----------------------------------------------------------------------------------


def client_skills_add(*, acting_user: User, client: Client, skills: str) -> list[ClientSkill]:
    """Record skills for a client (those already recorded are kept once)."""
    _check_may_work(acting_user)
    names = skills_from_text(skills)
    if not names:
        raise ValidationError({"skills": _("Name one or more skills, separated by commas.")})
    with transaction.atomic():
        if not Client.objects.filter(access.client_scope(acting_user), pk=client.pk).exists():
            raise PermissionDenied(_("You may not see this client."))
        have = set(ClientSkill.objects.filter(client=client).values_list("name", flat=True))
        new = [ClientSkill(client=client, name=n, recorded_by=acting_user) for n in names if n not in have]
        ClientSkill.objects.bulk_create(new)
        if new:
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                object_type=ClientSkill._meta.label_lower,
                object_id=client.pk,
                object_repr=f"Skills of {client}",
                client_ids=[client.pk],
                changes={"skills": [None, [s.name for s in new]]},
            )
    return new


def job_referral_create(*, acting_user: User, opening: JobOpening, case: Case, client: Client) -> JobReferral:
    """Put a client forward for an open position."""
    _check_may_work(acting_user)
    with transaction.atomic():
        opening = JobOpening.objects.select_for_update(of=("self",)).select_related("employer").get(pk=opening.pk)
        case = _check_case(acting_user, case, client)
        if opening.status != JobOpening.Status.OPEN:
            raise ValidationError(
                _("%(opening)s is %(status)s.") % {"opening": opening, "status": opening.get_status_display().lower()}
            )
        if opening.closes_on is not None and opening.closes_on < timezone.localdate():
            raise ValidationError(
                _("%(opening)s closed on %(day)s.") % {"opening": opening, "day": f"{opening.closes_on:%Y-%m-%d}"}
            )
        if JobReferral.objects.filter(opening=opening, client=client).exists():
            raise ValidationError(
                _("%(client)s is already referred to %(opening)s.") % {"client": client, "opening": opening}
            )
        referral = JobReferral.objects.create(opening=opening, case=case, client=client, referred_by=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=referral,
            client_ids=[client.pk],
            changes={"opening": [None, str(opening)]},
        )
    return referral


def job_referral_move(
    *, acting_user: User, referral: JobReferral, to: str, interview_at: datetime | None = None, outcome: str = ""
) -> JobReferral:
    """Record an interview, or the outcome (not hired, withdrawn). Hiring goes through `placement_create`."""
    _check_may_work(acting_user)
    if to == JobReferral.Status.HIRED:
        raise ValidationError(_("Record the placement (start, wage, hours) to mark a client hired."))
    if to == JobReferral.Status.INTERVIEW and interview_at is None:
        raise ValidationError({"interview_at": _("Give the interview's day and time.")})
    if to in (JobReferral.Status.NOT_HIRED, JobReferral.Status.WITHDRAWN) and not outcome.strip():
        raise ValidationError({"outcome": _("Say what happened.")})
    with transaction.atomic():
        referral = JobReferral.objects.select_for_update().get(pk=referral.pk)
        _check_case(acting_user, referral.case, referral.client)
        fields = []
        if interview_at is not None:
            referral.interview_at = interview_at
            fields.append("interview_at")
        if outcome.strip():
            referral.outcome = outcome.strip()
            fields.append("outcome")
        if fields:
            referral.save(update_fields=fields)
        _move(referral, to, acting_user, client_ids=[referral.client_id], reason=outcome.strip())
    return referral


# Placements ------------------------------------------------------------------------------------------------


def placement_create(
    *,
    acting_user: User,
    referral: JobReferral,
    starts_on: date,
    hourly_wage: Decimal | None = None,
    weekly_hours: Decimal | None = None,
) -> Placement:
    """A referred client is hired: the placement, its hours on the client's schedule, retention tasks.

    The referral becomes hired; when as many are hired as the opening has positions, the opening is
    filled. The job's weekly hours are scheduled as an activity, so the monthly participation counts
    them (45 CFR 261.31: unsubsidized employment is a work activity, 45 CFR 261.30(a)); when the
    client's employment plan in force has an employment activity, the schedule carries it out, so
    the job's hours are the plan's. A retention check is put on the case worker's list at 30, 90
    and 180 days after the start.
    """
    _check_may_work(acting_user)
    with transaction.atomic():
        referral = JobReferral.objects.select_for_update().get(pk=referral.pk)
        opening = (
            JobOpening.objects.select_for_update(of=("self",)).select_related("employer").get(pk=referral.opening_id)
        )
        case = _check_case(acting_user, referral.case, referral.client)
        wage = hourly_wage if hourly_wage is not None else opening.hourly_wage
        hours = weekly_hours if weekly_hours is not None else opening.weekly_hours
        errors = {}
        if starts_on is None:
            errors["starts_on"] = _("Give the first day of work.")
        if wage is None or wage <= 0:
            errors["hourly_wage"] = _("The wage must be more than zero.")
        if hours is None or not Decimal("0") < hours <= Decimal("80"):
            errors["weekly_hours"] = _("Weekly hours are more than 0 and at most 80.")
        if errors:
            raise ValidationError(errors)
        _move(referral, JobReferral.Status.HIRED, acting_user, client_ids=[referral.client_id], reason="Placed")
        activity = scheduled_activity_create(
            acting_user=acting_user,
            case=case,
            client=referral.client,
            name=f"Employment: {opening.title} at {opening.employer.name}"[:160],
            weekly_hours=hours,
            starts_on=starts_on,
            work_activity=plan_activity_in_force(case=case, client=referral.client, kind=WorkActivity.Kind.EMPLOYMENT),
        )
        placement = Placement.objects.create(
            referral=referral,
            case=case,
            client=referral.client,
            employer=opening.employer,
            job_title=opening.title,
            starts_on=starts_on,
            hourly_wage=wage,
            weekly_hours=hours,
            activity=activity,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=placement,
            client_ids=[referral.client_id],
            changes={
                "employer": [None, opening.employer.name],
                "starts_on": [None, audit_value(starts_on)],
                "hourly_wage": [None, audit_value(wage)],
                "weekly_hours": [None, audit_value(hours)],
            },
        )
        for days in RETENTION_DAYS:
            task_create(
                case=case,
                kind=Task.Kind.FOLLOW_UP,
                title=f"{days}-day job retention check: {referral.client} at {opening.employer.name}",
                due_on=starts_on + timedelta(days=days),
                details=f"Is {referral.client} still working as {opening.title}? Record hours and wage now.",
                created_by=acting_user,
                dedupe_key=f"retention:{placement.pk}:{days}",
            )
        hired = JobReferral.objects.filter(opening=opening, status=JobReferral.Status.HIRED).count()
        if hired >= opening.positions and opening.status == JobOpening.Status.OPEN:
            _move(opening, JobOpening.Status.FILLED, acting_user, reason=f"{hired} of {opening.positions} hired")
    return placement


# Group sessions --------------------------------------------------------------------------------------------


def group_session_create(
    *, acting_user: User, kind: str, title: str, held_on: date, hours: Decimal, place: str = ""
) -> GroupSession:
    _check_may_work(acting_user)
    errors = {}
    if kind not in GroupSession.Kind.values:
        errors["kind"] = _("Choose the kind of session.")
    if not title.strip():
        errors["title"] = _("Give the session a title.")
    if held_on is None:
        errors["held_on"] = _("Give the day.")
    if hours is None or not Decimal("0") < hours <= MAX_SESSION_HOURS:
        errors["hours"] = _("A session runs more than 0 and at most %(hours)s hours.") % {"hours": MAX_SESSION_HOURS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = GroupSession.objects.create(
            office_id=acting_user.office_id,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            hours=hours,
            place=place.strip(),
            facilitator=acting_user,
        )
        audit_record(actor=acting_user, action=Action.CREATE, target=session, changes={"title": [None, session.title]})
    return session


def roster_add(*, acting_user: User, session: GroupSession, case: Case, client: Client) -> RosterEntry:
    """Put a client on a session's roster and on their schedule for the session's day and hours.

    The session is scheduled as a one-day session, so its month requires exactly the session's
    hours (`casework.participation.required_hours`); when the client's employment plan in force
    has the activity this kind of session carries out (a job club for a job club), the session
    counts as that activity.
    """
    _check_may_work(acting_user)
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        _check_office(acting_user, session.office_id)
        case = _check_case(acting_user, case, client)
        if RosterEntry.objects.filter(session=session, client=client).exists():
            raise ValidationError(_("%(client)s is already on the roster.") % {"client": client})
        activity = scheduled_session_create(
            acting_user=acting_user,
            case=case,
            client=client,
            name=str(session)[:160],
            day=session.held_on,
            hours=session.hours,
            work_activity=plan_activity_in_force(case=case, client=client, kind=SESSION_PLAN_ACTIVITY[session.kind]),
        )
        entry = RosterEntry.objects.create(
            session=session, case=case, client=client, activity=activity, added_by=acting_user
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=entry,
            client_ids=[client.pk],
            changes={"session": [None, str(session)]},
        )
    return entry


@dataclass(frozen=True)
class SessionAttendance:
    """What one participant attended of a session."""

    entry_id: int
    hours_attended: Decimal
    excused: bool = False
    good_cause: str = ""


def group_attendance_record(
    *, acting_user: User, session: GroupSession, rows: list[SessionAttendance]
) -> list[RosterEntry]:
    """Record a session's attendance once: each participant's hours go to their own attendance.

    Each row is written through `attendance_week_record`, the one path for attendance, so each
    participant's monthly participation counts it. All or nothing: an error on any row (keyed
    "<row index>:<field>") saves none.
    """
    _check_may_work(acting_user)
    errors: dict[str, list] = {}
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        _check_office(acting_user, session.office_id)
        entries = {
            e.pk: e for e in RosterEntry.objects.filter(session=session).select_related("case", "client", "activity")
        }
        done = []
        for index, row in enumerate(rows):
            entry = entries.get(row.entry_id)
            if entry is None:
                errors[f"{index}:"] = [_("This person is not on the session's roster.")]
                continue
            try:
                with transaction.atomic():
                    attendance_week_record(
                        acting_user=acting_user,
                        case=entry.case,
                        client=entry.client,
                        monday=week_start(session.held_on),
                        rows=[
                            AttendanceRow(
                                activity_id=entry.activity_id,
                                day=session.held_on,
                                hours_scheduled=session.hours,
                                hours_attended=row.hours_attended,
                                excused=row.excused,
                                good_cause=row.good_cause,
                            )
                        ],
                    )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    errors[f"{index}:"] = error.messages
                    continue
                for key, messages in error.message_dict.items():
                    errors[f"{index}:{key.partition(':')[2]}"] = messages
                continue
            done.append(entry)
        if errors:
            raise ValidationError(errors)
        session.attendance_recorded_at = timezone.now()
        session.save(update_fields=["attendance_recorded_at"])
    return done
