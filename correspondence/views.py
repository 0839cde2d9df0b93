"""The client's Correspondence tab, their contact preferences, one message, the print batches, and
a member of staff's own inbox."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from clients import selectors as client_selectors
from clients import services as client_services
from core.forms import add_service_errors
from correspondence import backends, selectors, services
from correspondence.forms import ContactPreferenceForm
from correspondence.models import Channel

LIST_LIMIT = 200
INBOX_PAGE_SIZE = 50


def channel_status(client, preference) -> list[dict]:
    """Each channel with the reason it may not be used, for the worker to see before sending."""
    return [
        {"label": label, "value": value, "refusal": services.channel_refusal(client, preference, value)}
        for value, label in Channel.choices
    ]


@login_required
def client_correspondence(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_get(user=request.user, pk=pk)
    preference = services.contact_preference_of(client)
    items = list(selectors.correspondence_for_client(request.user, client)[:LIST_LIMIT])
    client_services.client_view_record(acting_user=request.user, client=client, page="correspondence")
    return render(
        request,
        "correspondence/client_correspondence.html",
        {
            "client": client,
            "tab": "correspondence",
            "items": items,
            "preference": preference,
            "language": services.language_of(client, preference),
            "channels": channel_status(client, preference),
            "address_private": services.home_address_is_private(client),
        },
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def contact_preferences_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_get(user=request.user, pk=pk)
    preference = services.contact_preference_of(client)
    form = ContactPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_preference_update(client=client, acting_user=request.user, **form.to_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact preferences saved."))
            return redirect("correspondence:client", pk=client.pk)
    client_services.client_view_record(acting_user=request.user, client=client, page="contact preferences")
    return render(
        request,
        "correspondence/contact_preferences_form.html",
        {"client": client, "tab": "correspondence", "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def correspondence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.correspondence_get(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, target=item, client_ids=[item.client_id])
    return render(
        request,
        "correspondence/correspondence_detail.html",
        {"item": item, "history": selectors.correspondence_history(item=item), "client": item.client},
    )


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def correspondence_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.correspondence_get(user=request.user, pk=pk)
    try:
        services.correspondence_retry(correspondence=item, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("It will be sent again."))
    return redirect("correspondence:detail", pk=item.pk)


@login_required
def correspondence_pdf(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.correspondence_get(user=request.user, pk=pk)
    if not item.pdf:
        raise Http404("This letter has no PDF (only mail is printed).")
    audit_record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, target=item, client_ids=[item.client_id])
    return _pdf(item.pdf, f"letter-{item.pk}.pdf")


def _pdf(file, name: str) -> FileResponse:
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("correspondence.print_mail", raise_exception=True)
def print_batch_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "correspondence/print_batches.html",
        {
            "batches": list(selectors.print_batches(request.user)[:60]),
            "waiting": selectors.mail_waiting_count(request.user),
        },
    )


@login_required
@permission_required("correspondence.print_mail", raise_exception=True)
def print_batch_pdf(request: HttpRequest, pk: int) -> FileResponse:
    batch = selectors.print_batch_get(user=request.user, pk=pk)
    client_ids = batch.items.values_list("client_id", flat=True)
    audit_record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, target=batch, client_ids=client_ids)
    return _pdf(batch.pdf, f"print-batch-{batch.pk}.pdf")


@login_required
@require_POST
@permission_required("correspondence.print_mail", raise_exception=True)
def print_batch_printed(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.print_batch_get(user=request.user, pk=pk)
    try:
        services.print_batch_mark_printed(batch=batch, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Batch %(pk)s marked printed.") % {"pk": batch.pk})
    return redirect("correspondence:print_batches")


@csrf_exempt  # the provider's own request, with no session: its signature is the check
@require_POST
def text_status_report(request: HttpRequest) -> HttpResponse:
    """The text provider's delivery report (Twilio's StatusCallback), refused unless signed with our auth token.

    Twilio signs the URL it called, which is the `TWILIO_STATUS_CALLBACK_URL` it was given with the
    message; without one, this request's own address.
    """
    url = getattr(settings, "TWILIO_STATUS_CALLBACK_URL", "") or request.build_absolute_uri()
    if not backends.twilio_request_valid(
        url=url,
        params={name: request.POST.getlist(name) for name in request.POST},
        signature=request.headers.get("X-Twilio-Signature", ""),
        token=getattr(settings, "TWILIO_AUTH_TOKEN", ""),
    ):
        return HttpResponseForbidden("Bad signature.")
    item = services.correspondence_provider_report(
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    if item is None:
        raise Http404("No message has this provider id.")
    return HttpResponse(status=204)


@login_required
def staff_inbox(request: HttpRequest) -> HttpResponse:
    """The messages sent to the signed-in person (the monthly report made, say), newest first."""
    page = Paginator(selectors.staff_inbox(request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "correspondence/staff_inbox.html", {"page": page})
