"""The supervisors' approval queue: requests waiting on cases they may see, with what to weigh."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assistance.forms.issuances import ApproveForm, ReasonForm
from assistance.selectors import issuances as selectors
from audit.models import AuditEvent
from audit.services import audit_record

PAGE_SIZE = 50


@login_required
@permission_required("casework.supervise", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    """Oldest first; approve or reject each row here (the forms post to the issuance's actions)."""
    page = _page(selectors.queue_issuances(user=request.user), request.GET.get("page"))
    rows = selectors.queue_rows(user=request.user, issuances=list(page.object_list))
    if rows:
        # The queue shows each client's programs and recent assistance: a read of their file.
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="assistance.issuance",
            object_repr="approval queue",
            client_ids=[row.issuance.client_id for row in rows],
            changes={"page": "approval queue", "requests": [row.issuance.reference for row in rows]},
        )
    return render(
        request,
        "assistance/queue.html",
        {"page": page, "rows": rows, "approve_form": ApproveForm(), "reason_form": ReasonForm()},
    )


def _page(issuances: QuerySet, number: str | None) -> Page:
    """One page of the queue and the number waiting in one query (a window count, not a COUNT first)."""
    try:
        wanted = max(int(number or 1), 1)
    except ValueError:
        wanted = 1
    counted = issuances.annotate(waiting=Window(Count("id")))
    rows = list(counted[(wanted - 1) * PAGE_SIZE : wanted * PAGE_SIZE])
    if not rows and wanted > 1:  # past the last page (requests decided meanwhile): the first
        wanted, rows = 1, list(counted[:PAGE_SIZE])
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = rows[0].waiting if rows else 0
    return Page(rows, wanted, paginator)
