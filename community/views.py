"""Pages of community services: the office's sponsor projects and its volunteers.

For caseworkers and supervisors of the office. A volunteer's page shows what keeps them off the
schedule, decided by `community.services.screening_problems`.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import may_work_cases
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
