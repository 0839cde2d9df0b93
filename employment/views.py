"""Pages of employment services: the office's openings, and an opening with its matches and referrals.

For caseworkers and supervisors of the office; the clients they name are those the access rule
lets the user see, and showing them is recorded in the audit trail.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import may_work_cases
from audit.services import audit_page_read
from employment import selectors


def _check(request: HttpRequest) -> None:
    if not may_work_cases(request.user):
        raise PermissionDenied


@login_required
def opening_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    openings = selectors.openings_for(user=request.user)[:200]
    return render(request, "employment/opening_list.html", {"openings": openings})


@login_required
def opening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    opening = selectors.opening_get(user=request.user, pk=pk)
    matches = selectors.opening_matches(user=request.user, opening=opening)
    referrals = list(selectors.opening_referrals(user=request.user, opening=opening))
    audit_page_read(
        actor=request.user,
        page=f"Job opening {opening}",
        client_ids=[m.client.pk for m in matches] + [r.client_id for r in referrals],
        object_type="employment.jobopening",
    )
    return render(
        request, "employment/opening_detail.html", {"opening": opening, "matches": matches, "referrals": referrals}
    )
