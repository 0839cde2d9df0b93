"""The officer's lists: special authorization requests by status and age, and out-of-province
claims. Each fetches through the access rule and records which clients it showed."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.services import audit_page_read
from coverage import selectors
from coverage.models import OutOfProvinceClaim, SpecialAuthorization

WORK = "casework.work_cases"
PAGE_SIZE = 50


@login_required
@permission_required(WORK, raise_exception=True)
def special_authorization_list(request: HttpRequest) -> HttpResponse:
    """Requests by status, oldest first, with how many days each has waited since receipt."""
    status = request.GET.get("status", "open")
    rows = selectors.special_authorizations(user=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    audit_page_read(actor=request.user, page="special authorization requests", client_ids=[r.client_id for r in page])
    return render(
        request,
        "coverage/special_authorization_list.html",
        {
            "page": page,
            "rows": [(r, (today - r.received_on).days) for r in page],
            "status": status,
            "statuses": [("open", "Open", None)]
            + [
                (value, label, n)
                for (value, label), n in zip(
                    SpecialAuthorization.Status.choices,
                    selectors.special_authorization_counts(user=request.user).values(),
                    strict=True,
                )
            ],
        },
    )


@login_required
@permission_required(WORK, raise_exception=True)
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.out_of_province_claims(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_page_read(actor=request.user, page="out-of-province claims", client_ids=[c.client_id for c in page])
    return render(
        request,
        "coverage/claim_list.html",
        {"page": page, "status": status, "statuses": OutOfProvinceClaim.Status.choices},
    )
