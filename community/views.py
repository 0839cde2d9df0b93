"""Pages of community services: the office's sponsor projects and its volunteers.

For caseworkers and supervisors of the office. A volunteer's page shows what keeps them off the
schedule, decided by `community.services.screening_problems`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import client_scope, may_supervise, may_work_cases
from audit.services import audit_page_read
from community import services
from community.models import SponsorProject, Volunteer, VolunteerReference
from community.services import screening_problems


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
    visits = list(project.visits.select_related("visited_by"))
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
            raise ValidationError("Choose recommend, approve or decline.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        project.refresh_from_db(fields=["status"])
        messages.success(request, f"{project} is {project.get_status_display().lower()}.")
    return redirect("community:project_detail", pk=project.pk)


def home_card(user) -> dict | None:
    """Links to the office's sponsor projects and volunteers, for workers (no query)."""
    if not may_work_cases(user):
        return None
    return {"template": "community/home_card.html", "order": 61}
