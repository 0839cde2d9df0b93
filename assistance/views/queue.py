"""The supervisors' approval queue: requests waiting on cases they may see, with what to weigh."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
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
    page = Paginator(selectors.queue_issuances(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
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
