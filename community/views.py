"""Pages of community services: the office's sponsor projects, contacts with their participants, and
its volunteers with the hours they served.

For caseworkers and supervisors of the office. A volunteer's page shows what keeps them off the
schedule, decided by `community.services.screening_problems`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import case_scope, client_scope, may_supervise, may_work_cases
from audit.services import audit_page_read
from casework.models import Case
from community import forms, selectors, services
from community.models import Brochure, OutreachEvent, SponsorProject, Volunteer, VolunteerReference
from community.services import screening_problems
from core.forms import add_service_errors


def _check(request: HttpRequest) -> None:
    if not may_work_cases(request.user):
        raise PermissionDenied


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    projects = SponsorProject.objects.filter(office_id=request.user.office_id).select_related(
        "sponsor", "recommended_by", "decided_by"
    )[:200]
    return render(request, "community/project_list.html", {"projects": projects})


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    volunteers = Volunteer.objects.filter(office_id=request.user.office_id).prefetch_related(
        Prefetch("references", queryset=VolunteerReference.objects.order_by("id"))
    )[:200]
    rows = [(v, screening_problems(v, list(v.references.all()))) for v in volunteers]
    return render(request, "community/volunteer_list.html", {"rows": rows})


def _project(request: HttpRequest, pk: int) -> SponsorProject:
    return get_object_or_404(
        SponsorProject.objects.select_related("sponsor", "program", "recommended_by", "decided_by"),
        office_id=request.user.office_id,
        pk=pk,
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project, with its participants the user may see (the read audited), visits and the decision."""
    _check(request)
    project = _project(request, pk)
    participants = list(
        project.participants.filter(client_scope(request.user, prefix="client__")).select_related(
            "client", "case", "issuance"
        )
    )
    visits = list(project.visits.select_related("visited_by", "follow_up_task"))
    audit_page_read(
        actor=request.user,
        page=f"Sponsor project {project}",
        client_ids=[p.client_id for p in participants],
        object_type="community.sponsorproject",
    )
    context = {
        "project": project,
        "participants": participants,
        "visits": visits,
        "may_decide": may_supervise(request.user) and project.recommended_by_id != request.user.pk,
    }
    return render(request, "community/project_detail.html", context)


@login_required
@require_POST
def project_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Recommend (the worker), or approve or decline (a supervisor or manager who did not recommend it)."""
    _check(request)
    project = _project(request, pk)
    verb = request.POST.get("decision")
    text = request.POST.get("text", "")
    try:
        if verb == "recommend":
            services.project_recommend(acting_user=request.user, project=project, recommendation=text)
        elif verb == "approve":
            services.project_approve(acting_user=request.user, project=project, reason=text)
        elif verb == "decline":
            services.project_decline(acting_user=request.user, project=project, reason=text)
        else:
            raise ValidationError(_("Choose recommend, approve or decline."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        project.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("%(project)s is %(status)s.") % {"project": project, "status": project.get_status_display().lower()},
        )
    return redirect("community:project_detail", pk=project.pk)


def home_card(user) -> dict | None:
    """Links to the office's sponsor projects and volunteers, for workers (no query)."""
    if not may_work_cases(user):
        return None
    return {"template": "community/home_card.html", "order": 61}


def _form_page(request: HttpRequest, form, *, title: str, save, back: str) -> HttpResponse:
    """Bind, call one service, redirect; a service's refusal is shown on the form and nothing is lost."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s: saved.") % {"title": title})
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/form.html", {"form": form, "title": title, "back": back}, status=status)


def _volunteer(request: HttpRequest, pk: int) -> Volunteer:
    return get_object_or_404(Volunteer, office_id=request.user.office_id, pk=pk)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.ProjectForm(request.POST or None)

    def save(data):
        project = services.project_propose(acting_user=request.user, **data)
        return reverse("community:project_detail", args=[project.pk])

    return _form_page(request, form, title=_("New sponsor project"), save=save, back=reverse("community:project_list"))


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A client joins the project; their share of the funding is requested through assistance."""
    _check(request)
    project = _project(request, pk)
    cases = (
        Case.objects.filter(case_scope(request.user), status__in=Case.ACTIVE, office_id=request.user.office_id)
        .select_related("primary_client")
        .order_by("number")
    )
    form = forms.ParticipantForm(request.POST or None, cases=cases)

    def save(data):
        case = data["case"]
        services.participant_add(
            acting_user=request.user,
            project=project,
            case=case,
            client=case.primary_client,
            joined_on=data["joined_on"],
        )
        return reverse("community:project_detail", args=[project.pk])

    back = reverse("community:project_detail", args=[project.pk])
    return _form_page(request, form, title=_("Participant in %(project)s") % {"project": project}, save=save, back=back)


@login_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    project = _project(request, pk)
    form = forms.AgreementForm(request.POST or None, request.FILES or None)

    def save(data):
        services.project_agreement_sign(acting_user=request.user, project=project, **data)
        return reverse("community:project_detail", args=[project.pk])

    back = reverse("community:project_detail", args=[project.pk])
    return _form_page(request, form, title=_("Agreement for %(project)s") % {"project": project}, save=save, back=back)


@login_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    project = _project(request, pk)
    form = forms.VisitForm(request.POST or None)

    def save(data):
        services.monitoring_visit_record(acting_user=request.user, project=project, **data)
        return reverse("community:project_detail", args=[project.pk])

    back = reverse("community:project_detail", args=[project.pk])
    return _form_page(
        request, form, title=_("Monitoring visit to %(project)s") % {"project": project}, save=save, back=back
    )


@login_required
def participant_contact_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Contacts with the project's participants, to see the project is worthwhile for them (the read audited)."""
    _check(request)
    project = _project(request, pk)
    participants = list(selectors.project_participants(user=request.user, project=project))
    contacts = list(selectors.participant_contacts(user=request.user, project=project)[:200])
    audit_page_read(
        actor=request.user,
        page=f"Contacts with participants of {project}",
        client_ids=[p.client_id for p in participants],
        object_type="community.sponsorproject",
    )
    context = {"project": project, "participants": participants, "contacts": contacts}
    return render(request, "community/participant_contacts.html", context)


@login_required
def participant_contact_add(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    _check(request)
    project = _project(request, pk)
    participant = selectors.participant_get(user=request.user, project=project, pk=participant_pk)
    form = forms.ContactForm(request.POST or None)

    def save(data):
        services.participant_contact_record(acting_user=request.user, participant=participant, **data)
        return reverse("community:participant_contact_list", args=[project.pk])

    back = reverse("community:participant_contact_list", args=[project.pk])
    title = _("Contact with %(client)s") % {"client": participant.client.display_name}
    return _form_page(request, form, title=title, save=save, back=back)


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer's shifts and the hours they served (a volunteer is not a client: nothing to audit as read)."""
    _check(request)
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    context = {
        "volunteer": volunteer,
        "shifts": list(selectors.volunteer_shifts(volunteer=volunteer)[:200]),
        "hours_served": selectors.volunteer_hours_served(volunteer=volunteer),
    }
    return render(request, "community/volunteer_detail.html", context)


@login_required
def volunteer_hours(request: HttpRequest, pk: int, shift_pk: int) -> HttpResponse:
    """Record the hours a volunteer served on a shift that has started."""
    _check(request)
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    shift = get_object_or_404(volunteer.shifts, pk=shift_pk)
    form = forms.HoursForm(request.POST or None, initial={"hours_served": shift.hours_served})

    def save(data):
        services.volunteer_hours_record(acting_user=request.user, shift=shift, hours_served=data["hours_served"])
        return reverse("community:volunteer_detail", args=[volunteer.pk])

    back = reverse("community:volunteer_detail", args=[volunteer.pk])
    title = _("Hours %(volunteer)s served: %(shift)s") % {"volunteer": volunteer, "shift": shift.assignment}
    return _form_page(request, form, title=title, save=save, back=back)


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.VolunteerForm(request.POST or None)

    def save(data):
        services.volunteer_recruit(acting_user=request.user, **data)
        return reverse("community:volunteer_list")

    return _form_page(request, form, title=_("New volunteer"), save=save, back=reverse("community:volunteer_list"))


@login_required
def volunteer_screening(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    volunteer = _volunteer(request, pk)
    form = forms.ScreeningForm(request.POST or None)

    def save(data):
        services.volunteer_screening_record(
            acting_user=request.user,
            volunteer=volunteer,
            background_check=data["background_check"] or None,
            checked_on=data["checked_on"],
            training_completed_on=data["training_completed_on"],
        )
        return reverse("community:volunteer_list")

    return _form_page(
        request,
        form,
        title=_("Screening of %(volunteer)s") % {"volunteer": volunteer},
        save=save,
        back=reverse("community:volunteer_list"),
    )


@login_required
def volunteer_reference(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    volunteer = _volunteer(request, pk)
    form = forms.ReferenceForm(request.POST or None)

    def save(data):
        services.volunteer_reference_record(acting_user=request.user, volunteer=volunteer, **data)
        return reverse("community:volunteer_list")

    return _form_page(
        request,
        form,
        title=_("Reference for %(volunteer)s") % {"volunteer": volunteer},
        save=save,
        back=reverse("community:volunteer_list"),
    )


@login_required
def volunteer_shift(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a volunteer: refused, with what is missing, until screening is complete."""
    _check(request)
    volunteer = _volunteer(request, pk)
    form = forms.ShiftForm(request.POST or None)

    def save(data):
        services.volunteer_shift_assign(acting_user=request.user, volunteer=volunteer, **data)
        return reverse("community:volunteer_list")

    return _form_page(
        request,
        form,
        title=_("Shift for %(volunteer)s") % {"volunteer": volunteer},
        save=save,
        back=reverse("community:volunteer_list"),
    )


@login_required
def outreach_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    events = OutreachEvent.objects.filter(office_id=request.user.office_id).select_related("presenter")[:200]
    return render(request, "community/outreach_list.html", {"events": events})


@login_required
def outreach_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.OutreachForm(request.POST or None)

    def save(data):
        services.outreach_event_record(acting_user=request.user, **data)
        return reverse("community:outreach_list")

    return _form_page(request, form, title=_("New outreach event"), save=save, back=reverse("community:outreach_list"))


@login_required
def brochure_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    brochures = Brochure.objects.all()[:500]
    return render(request, "community/brochure_list.html", {"brochures": brochures})


@login_required
def brochure_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.BrochureForm(request.POST or None, request.FILES or None)

    def save(data):
        services.brochure_add(acting_user=request.user, **data)
        return reverse("community:brochure_list")

    return _form_page(request, form, title=_("New brochure"), save=save, back=reverse("community:brochure_list"))


@login_required
def brochure_download(request: HttpRequest, pk: int) -> FileResponse:
    _check(request)
    brochure = get_object_or_404(Brochure, pk=pk)
    return FileResponse(
        brochure.file.open("rb"),
        content_type=brochure.content_type,
        as_attachment=True,
        filename=f"{brochure.title}-{brochure.language}",
    )
