"""Transfers between offices: the sending supervisor asks from the client's page, the receiving
supervisor accepts or declines from their list of waiting transfers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.services import audit_page_read
from casework.forms.transfers import OfficeTransferAcceptForm, OfficeTransferDeclineForm, OfficeTransferRequestForm
from casework.models import OfficeTransfer
from casework.selectors import transfers as selectors
from casework.selectors.cases import workers_for_transfer
from casework.services import transfers as services
from clients import selectors as client_selectors
from clients.services import client_view_record
from core.forms import add_service_errors
from core.status import StatusRefused

SUPERVISE = "casework.supervise"


@login_required
@permission_required(SUPERVISE, raise_exception=True)
def transfer_request(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Ask another office to take a client of this office and their open cases."""
    client = client_selectors.client_get(user=request.user, pk=client_pk)
    services.office_transfer_check_requester(acting_user=request.user, client=client)
    form = OfficeTransferRequestForm(request.POST or None, from_office_id=client.office_id)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.office_transfer_request(
                acting_user=request.user,
                client=client,
                to_office=form.cleaned_data["to_office"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Transfer to {transfer.to_office} asked; it waits for their supervisor.")
            return redirect("casework:transfer_detail", pk=transfer.pk)
    client_view_record(acting_user=request.user, client=client, page="office transfer")
    return render(
        request,
        "casework/transfer_request.html",
        {"client": client, "form": form, "cases": services.transfer_open_cases(client=client)},
    )


@login_required
@permission_required(SUPERVISE, raise_exception=True)
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers waiting for this office's decision, those this office asked for, and the latest decided."""
    transfers = selectors.transfers_for_supervisor(user=request.user)
    audit_page_read(
        actor=request.user,
        page="office transfers",
        client_ids=[t.client_id for group in transfers.values() for t in group],
    )
    return render(request, "casework/transfer_list.html", transfers)


def _detail(request: HttpRequest, transfer: OfficeTransfer, *, accept=None, decline=None, status=200) -> HttpResponse:
    receiving = transfer.is_waiting and transfer.to_office_id == request.user.office_id
    if receiving:
        accept = accept or OfficeTransferAcceptForm(
            workers=workers_for_transfer(supervisor=request.user), initial={"to_worker": request.user.pk}
        )
        decline = decline or OfficeTransferDeclineForm()
    audit_page_read(actor=request.user, page="office transfer", client_ids=[transfer.client_id])
    return render(
        request,
        "casework/transfer_detail.html",
        {
            "transfer": transfer,
            "receiving": receiving,
            "sending": transfer.is_waiting and transfer.from_office_id == request.user.office_id,
            "accept_form": accept,
            "decline_form": decline,
        },
        status=status,
    )


def _decided_already(request: HttpRequest, transfer: OfficeTransfer, refused: StatusRefused) -> HttpResponse:
    """Decided (or withdrawn) since the page was shown: no form to show the refusal on, so say it on top."""
    messages.error(request, " ".join(refused.messages))
    return redirect("casework:transfer_detail", pk=transfer.pk)


@login_required
@permission_required(SUPERVISE, raise_exception=True)
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.transfer_get(user=request.user, pk=pk))


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    form = OfficeTransferAcceptForm(request.POST, workers=workers_for_transfer(supervisor=request.user))
    if form.is_valid():
        try:
            services.office_transfer_accept(
                acting_user=request.user,
                transfer=transfer,
                to_worker=form.cleaned_data["to_worker"],
                note=form.cleaned_data["note"],
            )
        except StatusRefused as refused:
            return _decided_already(request, transfer, refused)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{transfer.client} now belongs to this office, with {form.cleaned_data['to_worker']}."
            )
            return redirect("clients:detail", pk=transfer.client_id)
    return _detail(request, transfer, accept=form, status=400)


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_POST
def transfer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    form = OfficeTransferDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.office_transfer_decline(
                acting_user=request.user, transfer=transfer, note=form.cleaned_data["note"]
            )
        except StatusRefused as refused:
            return _decided_already(request, transfer, refused)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Transfer declined; the sending office sees why.")
            return redirect("casework:transfer_list")
    return _detail(request, transfer, decline=form, status=400)


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    try:
        services.office_transfer_cancel(acting_user=request.user, transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Transfer withdrawn.")
    return redirect("casework:transfer_list")
