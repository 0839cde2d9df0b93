"""The supervisors' approval queue: requests waiting on cases they may see, with what to weigh,
decided one by one or several at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assistance import services
from assistance.forms.issuances import ApproveForm, BulkDecisionForm, ReasonForm
from assistance.selectors import issuances as selectors
from audit.models import AuditEvent
from audit.services import audit_record
from core.forms import add_service_errors

PAGE_SIZE = 50
SUPERVISE = "casework.supervise"


def _queue_page(request: HttpRequest, bulk_form: BulkDecisionForm) -> HttpResponse:
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
    response = render(
        request,
        "assistance/queue.html",
        {
            "page": page,
            "rows": rows,
            "approve_form": ApproveForm(),
            "reason_form": ReasonForm(),
            "bulk_form": bulk_form,
            "selected": {str(pk) for pk in (bulk_form["issuances"].value() or [])},
        },
    )
    response.status_code = 400 if bulk_form.errors else 200
    return response


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


def _bulk_form(request: HttpRequest, data=None) -> BulkDecisionForm:
    # Any request the supervisor may see: whether it still waits, and is not their own, is the service's to say.
    visible = selectors.issuances_visible(user=request.user).select_related("client", "requested_by")
    return BulkDecisionForm(data, issuances=visible)


@login_required
@permission_required(SUPERVISE, raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    """Oldest first; approve or reject each row here (the forms post to the issuance's actions),
    or tick several and decide them together."""
    return _queue_page(request, _bulk_form(request))


@login_required
@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def queue_decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject the ticked requests with one reason; each is checked and audited on its own,
    and those that cannot be decided are named in the message."""
    form = _bulk_form(request, request.POST)
    if not form.is_valid():
        return _queue_page(request, form)
    data = form.cleaned_data
    try:
        outcome = services.issuances_decide(
            acting_user=request.user,
            issuances=data["issuances"],
            decision=services.Decision(data["decision"]),
            reason=data["reason"],
            budget_acknowledged=data["budget_acknowledged"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _queue_page(request, form)
    approved = outcome.decision == services.Decision.APPROVE
    if outcome.done:
        count = len(outcome.done)
        references = ", ".join(issuance.reference for issuance in outcome.done)
        if approved:
            text = ngettext(
                "Approved %(count)d request: %(references)s.", "Approved %(count)d requests: %(references)s.", count
            )
        else:
            text = ngettext(
                "Rejected %(count)d request: %(references)s.", "Rejected %(count)d requests: %(references)s.", count
            )
        messages.success(request, text % {"count": count, "references": references})
    for refusal in outcome.refused:
        issuance = refusal.issuance
        text = (
            _("Not approved: %(reference)s for %(name)s. %(why)s")
            if approved
            else _("Not rejected: %(reference)s for %(name)s. %(why)s")
        )
        messages.error(
            request,
            text % {"reference": issuance.reference, "name": issuance.client.display_name, "why": refusal.message},
        )
    return redirect("assistance:queue")
