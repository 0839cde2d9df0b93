"""The verbs of community services: sponsor projects, monitoring, volunteers, outreach, brochures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import Issuance
from assistance.services import IssuanceRequest, issuance_request
from audit.models import AuditEvent
from audit.services import audit_record, audit_value
from casework.models import Case, Task
from casework.services.cases import case_for_work
from casework.services.plans import check_client_of_case
from casework.services.tasks import task_complete, task_create
from clients.models import Client
from clients.services import upload_check
from community.models import (
    Brochure,
    MonitoringVisit,
    OutreachEvent,
    ParticipantContact,
    ProjectParticipant,
    SponsorProject,
    Volunteer,
    VolunteerReference,
    VolunteerShift,
)
from core.status import status_check, status_move

Action = AuditEvent.Action
Status = SponsorProject.Status


def _check_may_work(user: User) -> None:
    if not access.may_work_cases(user):
        raise PermissionDenied(_("Only caseworkers and supervisors do this."))


def _check_office(user: User, office_id: int) -> None:
    if user.office_id != office_id:
        raise PermissionDenied(_("This belongs to another office."))


def _move(project: SponsorProject, to: str, user: User, *, reason: str = "") -> None:
    status_move(project, to=to, acting_user=user, client_ids=(), reason=reason)


def _locked(project: SponsorProject, user: User) -> SponsorProject:
    project = SponsorProject.objects.select_for_update().get(pk=project.pk)
    _check_office(user, project.office_id)
    return project


# Sponsor projects ----------------------------------------------------------------------------------------


def project_propose(
    *,
    acting_user: User,
    sponsor,
    program,
    title: str,
    proposal: str,
    project_budget: Decimal,
    participants_planned: int,
    funding_per_participant: Decimal,
    starts_on: date,
    ends_on: date,
) -> SponsorProject:
    """A project a sponsor proposes, with the participants and funding negotiated."""
    _check_may_work(acting_user)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the project a title.")
    if not proposal.strip():
        errors["proposal"] = _("Describe what the sponsor proposes.")
    if project_budget is None or project_budget < 0:
        errors["project_budget"] = _("The project's budget cannot be negative.")
    if not participants_planned or participants_planned < 1:
        errors["participants_planned"] = _("At least one participant.")
    if funding_per_participant is None or funding_per_participant <= 0:
        errors["funding_per_participant"] = _("The funding per participant must be more than zero.")
    if starts_on is None or ends_on is None:
        errors["starts_on"] = _("Give the project's dates.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = SponsorProject.objects.create(
            office_id=acting_user.office_id,
            sponsor=sponsor,
            program=program,
            title=title.strip(),
            proposal=proposal.strip(),
            project_budget=project_budget,
            participants_planned=participants_planned,
            funding_per_participant=funding_per_participant,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=project,
            changes={
                "sponsor": [None, str(sponsor)],
                "participants_planned": [None, participants_planned],
                "funding_per_participant": [None, audit_value(funding_per_participant)],
            },
        )
    return project


def project_recommend(*, acting_user: User, project: SponsorProject, recommendation: str) -> SponsorProject:
    """The worker's recommendation, for a supervisor or manager to decide."""
    _check_may_work(acting_user)
    if not recommendation.strip():
        raise ValidationError({"recommendation": _("Say why you recommend the project.")})
    with transaction.atomic():
        project = _locked(project, acting_user)
        project.recommended_by = acting_user
        project.recommended_at = timezone.now()
        project.recommendation = recommendation.strip()
        project.save(update_fields=["recommended_by", "recommended_at", "recommendation"])
        _move(project, Status.RECOMMENDED, acting_user, reason=recommendation.strip())
    return project


def _check_decider(project: SponsorProject, user: User) -> None:
    # Signing agreements with sponsors needs supervisory approval (NL Client Services Officer profile).
    if not access.may_supervise(user):
        raise ValidationError(_("Only a supervisor or manager decides a sponsor project."))
    access.decider_check(
        user,
        asked_by_id=project.recommended_by_id,
        refusal=_("Nobody approves their own recommendation; another supervisor or manager must decide it."),
    )


def _decide(project: SponsorProject, user: User, to: str, *, reason: str) -> SponsorProject:
    """Record who decided the project, when and why, and move it; inside the caller's transaction."""
    project = _locked(project, user)
    _check_decider(project, user)
    project.decided_by = user
    project.decided_at = timezone.now()
    project.decision_reason = reason
    project.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    _move(project, to, user, reason=reason)
    return project


def project_approve(*, acting_user: User, project: SponsorProject, reason: str = "") -> SponsorProject:
    """A supervisor or manager, not the one who recommended it, approves the project (the database
    refuses a recommender's decision too, should a caller get past the check)."""
    with transaction.atomic():
        return _decide(project, acting_user, Status.APPROVED, reason=reason.strip() or "Approved")


def project_decline(*, acting_user: User, project: SponsorProject, reason: str) -> SponsorProject:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the project is declined; the worker will read it.")})
    with transaction.atomic():
        project = _decide(project, acting_user, Status.DECLINED, reason=reason.strip())
    return project


def project_agreement_sign(
    *, acting_user: User, project: SponsorProject, agreement: UploadedFile, signed_on: date
) -> SponsorProject:
    """Keep the agreement signed with the sponsor; the project becomes active."""
    if not access.may_supervise(acting_user):
        raise ValidationError(_("Only a supervisor or manager signs an agreement with a sponsor."))
    if signed_on is None or signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("Give the day it was signed (not in the future).")})
    upload_check(agreement, field="agreement")
    with transaction.atomic():
        project = _locked(project, acting_user)
        status_check(project, Status.ACTIVE)  # before the file is stored: a refusal leaves none behind
        project.agreement_signed_on = signed_on
        project.agreement.save(agreement.name, agreement, save=False)
        project.save(update_fields=["agreement", "agreement_signed_on"])
        _move(project, Status.ACTIVE, acting_user, reason=f"Agreement signed on {signed_on:%Y-%m-%d}")
    return project


def participant_add(
    *, acting_user: User, project: SponsorProject, case: Case, client: Client, joined_on: date
) -> ProjectParticipant:
    """A client joins an approved project; their share of the funding is requested for the sponsor.

    The share goes through `assistance.services.issuance_request` on the participant's case, under
    the project's program: within the worker's authority it is paid at once; past it, it waits for
    a supervisor, and once approved it is committed against the program's budget until issued.
    """
    _check_may_work(acting_user)
    with transaction.atomic():
        project = _locked(project, acting_user)
        if project.status not in (Status.APPROVED, Status.ACTIVE):
            raise ValidationError(
                _("The project is %(status)s; participants join once approved.")
                % {"status": project.get_status_display().lower()}
            )
        case_for_work(user=acting_user, case=case)
        check_client_of_case(case=case, client=client)
        if ProjectParticipant.objects.filter(project=project, client=client).exists():
            raise ValidationError(_("%(client)s already takes part in this project.") % {"client": client})
        count = ProjectParticipant.objects.filter(project=project).count()
        if count >= project.participants_planned:
            raise ValidationError(
                _("The project has its %(planned)s participants.") % {"planned": project.participants_planned}
            )
        issuance = issuance_request(
            acting_user=acting_user,
            case=case,
            client=client,
            program=project.program,
            request=IssuanceRequest(
                kind=Issuance.Kind.ONE_OFF,
                amount=project.funding_per_participant,
                payee_kind=Issuance.PayeeKind.OTHER,
                payee_name=project.sponsor.name[:200],
                method=Issuance.Method.DIRECT_DEPOSIT,
                purpose=f"Sponsor project {project.title}: participant's share",
            ),
            idempotency_key=f"sponsor-project:{project.pk}:client:{client.pk}",
        )
        participant = ProjectParticipant.objects.create(
            project=project, case=case, client=client, joined_on=joined_on, issuance=issuance, added_by=acting_user
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=participant,
            client_ids=[client.pk],
            changes={"project": [None, project.title], "issuance": [None, issuance.reference]},
        )
    return participant


def monitoring_visit_record(
    *,
    acting_user: User,
    project: SponsorProject,
    visited_on: date,
    findings: str,
    follow_up: str = "",
    follow_up_due: date | None = None,
) -> MonitoringVisit:
    _check_may_work(acting_user)
    errors = {}
    if visited_on is None or visited_on > timezone.localdate():
        errors["visited_on"] = _("Give the day of the visit (not in the future).")
    if not findings.strip():
        errors["findings"] = _("Say what you found.")
    if follow_up.strip() and follow_up_due is None:
        errors["follow_up_due"] = _("Give the day the follow-up is due.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = _locked(project, acting_user)
        visit = MonitoringVisit.objects.create(
            project=project,
            visited_on=visited_on,
            visited_by=acting_user,
            findings=findings.strip(),
            follow_up=follow_up.strip(),
            follow_up_due=follow_up_due if follow_up.strip() else None,
        )
        audit_record(
            actor=acting_user, action=Action.CREATE, target=visit, changes={"findings": [None, visit.findings]}
        )
        if visit.follow_up:
            # On the visiting worker's list: a project has no case, so the task is about the project.
            visit.follow_up_task = task_create(
                case=None,
                about=project,
                assignee=acting_user,
                kind=Task.Kind.FOLLOW_UP,
                title=f"Monitoring follow-up: {project.title}"[:200],
                details=visit.follow_up,
                due_on=visit.follow_up_due,
                created_by=acting_user,
                dedupe_key=f"monitoring-follow-up:{visit.pk}",
            )
            visit.save(update_fields=["follow_up_task"])
    return visit


def monitoring_follow_up_done(*, acting_user: User, visit: MonitoringVisit) -> MonitoringVisit:
    _check_may_work(acting_user)
    with transaction.atomic():
        visit = MonitoringVisit.objects.select_for_update(of=("self",)).select_related("project").get(pk=visit.pk)
        _check_office(acting_user, visit.project.office_id)
        if not visit.follow_up or visit.follow_up_done_at:
            return visit
        visit.follow_up_done_at = timezone.now()
        visit.save(update_fields=["follow_up_done_at"])
        audit_record(actor=acting_user, action=Action.UPDATE, target=visit, changes={"follow_up_done": [False, True]})
        if visit.follow_up_task_id is not None and visit.follow_up_task.status == Task.Status.OPEN:
            task_complete(acting_user=acting_user, task=visit.follow_up_task)
    return visit


def participant_contact_record(
    *, acting_user: User, participant: ProjectParticipant, kind: str, contacted_on: date, summary: str
) -> ParticipantContact:
    _check_may_work(acting_user)
    if kind not in ParticipantContact.Kind.values or not summary.strip() or contacted_on is None:
        raise ValidationError(_("Give how, when and what was said."))
    with transaction.atomic():
        if not Client.objects.filter(access.client_scope(acting_user), pk=participant.client_id).exists():
            raise PermissionDenied(_("You may not see this client."))
        contact = ParticipantContact.objects.create(
            participant=participant, kind=kind, contacted_on=contacted_on, summary=summary.strip(), worker=acting_user
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=contact,
            client_ids=[participant.client_id],
            changes={"kind": [None, kind]},
        )
    return contact


# Volunteers -------------------------------------------------------------------------------------------------


def screening_problems(volunteer: Volunteer, references: list[VolunteerReference]) -> list[str]:
    """Why a volunteer may not be scheduled yet; none when screening is complete.

    Complete means: background check cleared, the references the agency needs recommend them and
    none raised a concern, and training done.
    """
    problems = []
    if volunteer.background_check != Volunteer.Check.CLEARED:
        problems.append(_("background check %(state)s") % {"state": volunteer.get_background_check_display().lower()})
    good = sum(1 for r in references if r.outcome == VolunteerReference.Outcome.GOOD)
    if any(r.outcome == VolunteerReference.Outcome.CONCERN for r in references):
        problems.append(_("a reference raised a concern"))
    elif good < Volunteer.REFERENCES_NEEDED:
        problems.append(
            _("%(good)s of %(needed)s references checked") % {"good": good, "needed": Volunteer.REFERENCES_NEEDED}
        )
    if volunteer.training_completed_on is None:
        problems.append(_("training not completed"))
    return problems


def volunteer_recruit(
    *,
    acting_user: User,
    name: str,
    recruited_on: date,
    phone: str = "",
    email: str = "",
    recruited_through: str = "",
    availability: str = "",
) -> Volunteer:
    _check_may_work(acting_user)
    if not name.strip():
        raise ValidationError({"name": _("Give the volunteer's name.")})
    if recruited_on is None:
        raise ValidationError({"recruited_on": _("Give the day they were recruited.")})
    with transaction.atomic():
        volunteer = Volunteer.objects.create(
            office_id=acting_user.office_id,
            name=name.strip(),
            phone=phone.strip(),
            email=email.strip(),
            recruited_on=recruited_on,
            recruited_through=recruited_through.strip(),
            availability=availability.strip(),
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user, action=Action.CREATE, target=volunteer, changes={"name": [None, volunteer.name]}
        )
    return volunteer


def volunteer_screening_record(
    *,
    acting_user: User,
    volunteer: Volunteer,
    background_check: str | None = None,
    checked_on: date | None = None,
    training_completed_on: date | None = None,
) -> Volunteer:
    """Record the background check's result and date, or the training completed."""
    _check_may_work(acting_user)
    if background_check is not None and background_check not in Volunteer.Check.values:
        raise ValidationError({"background_check": _("Choose the check's status.")})
    done = (Volunteer.Check.CLEARED, Volunteer.Check.NOT_CLEARED)
    if background_check in done and checked_on is None:
        raise ValidationError({"checked_on": _("Give the day the check came back.")})
    today = timezone.localdate()
    if (checked_on and checked_on > today) or (training_completed_on and training_completed_on > today):
        raise ValidationError(_("A date cannot be in the future."))
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        _check_office(acting_user, volunteer.office_id)
        changes, fields = {}, []
        for name, value in (
            ("background_check", background_check),
            ("background_checked_on", checked_on),
            ("training_completed_on", training_completed_on),
        ):
            if value is not None and getattr(volunteer, name) != value:
                changes[name] = [audit_value(getattr(volunteer, name)), audit_value(value)]
                setattr(volunteer, name, value)
                fields.append(name)
        if fields:
            volunteer.save(update_fields=fields)
            audit_record(actor=acting_user, action=Action.UPDATE, target=volunteer, changes=changes)
    return volunteer


def volunteer_reference_record(
    *, acting_user: User, volunteer: Volunteer, name: str, outcome: str, phone: str = "", checked_on: date | None = None
) -> VolunteerReference:
    _check_may_work(acting_user)
    _check_office(acting_user, volunteer.office_id)
    if not name.strip() or outcome not in VolunteerReference.Outcome.values:
        raise ValidationError(_("Give the reference's name and what they said."))
    if outcome != VolunteerReference.Outcome.PENDING and checked_on is None:
        raise ValidationError({"checked_on": _("Give the day the reference was checked.")})
    with transaction.atomic():
        reference = VolunteerReference.objects.create(
            volunteer=volunteer, name=name.strip(), phone=phone.strip(), outcome=outcome, checked_on=checked_on
        )
        audit_record(actor=acting_user, action=Action.CREATE, target=reference, changes={"outcome": [None, outcome]})
    return reference


def volunteer_shift_assign(
    *,
    acting_user: User,
    volunteer: Volunteer,
    assignment: str,
    starts_at: datetime,
    ends_at: datetime,
    event: OutreachEvent | None = None,
) -> VolunteerShift:
    """Schedule a volunteer for a program or an event: only once screening is complete."""
    _check_may_work(acting_user)
    if not assignment.strip():
        raise ValidationError({"assignment": _("Name the program or event.")})
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        _check_office(acting_user, volunteer.office_id)
        problems = screening_problems(volunteer, list(volunteer.references.all()))
        if problems:
            raise ValidationError(
                _("%(volunteer)s cannot be scheduled until screening is complete: %(problems)s.")
                % {"volunteer": volunteer, "problems": "; ".join(str(p) for p in problems)}
            )
        shift = VolunteerShift.objects.create(
            volunteer=volunteer,
            assignment=assignment.strip(),
            event=event,
            starts_at=starts_at,
            ends_at=ends_at,
            scheduled_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=shift,
            changes={"assignment": [None, shift.assignment], "starts_at": [None, audit_value(starts_at)]},
        )
    return shift


def volunteer_hours_record(*, acting_user: User, shift: VolunteerShift, hours_served: Decimal) -> VolunteerShift:
    _check_may_work(acting_user)
    if hours_served is None or not Decimal("0") <= hours_served <= Decimal("24"):
        raise ValidationError({"hours_served": _("Hours served are 0 to 24.")})
    with transaction.atomic():
        shift = VolunteerShift.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=shift.pk)
        _check_office(acting_user, shift.volunteer.office_id)
        if shift.starts_at > timezone.now():
            raise ValidationError(_("The shift has not started yet."))
        old = shift.hours_served
        shift.hours_served = hours_served
        shift.save(update_fields=["hours_served"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=shift,
            changes={"hours_served": [audit_value(old), audit_value(hours_served)]},
        )
    return shift


# Outreach -----------------------------------------------------------------------------------------------------


def outreach_event_record(
    *,
    acting_user: User,
    held_on: date,
    topic: str,
    audience: str,
    place: str,
    materials: str = "",
    attendance: int | None = None,
) -> OutreachEvent:
    _check_may_work(acting_user)
    errors = {
        k: "Fill this in." for k, v in (("topic", topic), ("audience", audience), ("place", place)) if not v.strip()
    }
    if held_on is None:
        errors["held_on"] = _("Give the day.")
    elif attendance is not None and held_on > timezone.localdate():
        errors["attendance"] = _("Attendance is recorded once the event has taken place.")
    if attendance is not None and attendance < 0:
        errors["attendance"] = _("Attendance cannot be negative.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = OutreachEvent.objects.create(
            office_id=acting_user.office_id,
            held_on=held_on,
            topic=topic.strip(),
            audience=audience.strip(),
            place=place.strip(),
            materials=materials.strip(),
            attendance=attendance,
            presenter=acting_user,
        )
        audit_record(actor=acting_user, action=Action.CREATE, target=event, changes={"topic": [None, event.topic]})
    return event


def brochure_add(*, acting_user: User, title: str, language: str, upload: UploadedFile, topic: str = "") -> Brochure:
    """A brochure or handout in one language; its content is checked like a client's document."""
    _check_may_work(acting_user)
    if not title.strip() or not language.strip():
        raise ValidationError({"title": _("Give the title and the language.")})
    content_type = upload_check(upload, field="upload")
    with transaction.atomic():
        brochure = Brochure(
            title=title.strip(),
            topic=topic.strip(),
            language=language.strip().lower()[:10],
            content_type=content_type,
            uploaded_by=acting_user,
        )
        brochure.file.save(upload.name, upload, save=False)
        brochure.save()
        audit_record(
            actor=acting_user, action=Action.CREATE, target=brochure, changes={"title": [None, brochure.title]}
        )
    return brochure
