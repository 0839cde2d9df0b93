"""Inquiries and complaints: the office's list, recording one, the detail and respond page, the figures."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from audit.services import audit_page_read
from casework.forms.inquiries import InquiryFilterForm, InquiryForm, InquiryRespondForm, InquiryStatisticsForm
from casework.models import Inquiry
from casework.selectors import inquiries as selectors
from casework.services import inquiries as services
from core.forms import add_service_errors
from core.replica import replica_reads

PAGE_SIZE = 50
STATISTICS_DAYS = 30  # the range shown before the user picks one


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def inquiry_list(request: HttpRequest) -> HttpResponse:
    filters = InquiryFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    inquiries = selectors.inquiry_list(
        user=request.user,
        status=criteria.get("status", ""),
        overdue=criteria.get("overdue", False),
        mine=criteria.get("mine", False),
    )
    page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_read(
        actor=request.user,
        page="inquiry list",
        client_ids=[inquiry.client_id for inquiry in page if inquiry.client_visible],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/inquiry_list.html",
        {"page": page, "filters": filters, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def inquiry_add(request: HttpRequest) -> HttpResponse:
    if request.user.office_id is None:
        raise PermissionDenied("You need an office before you can record inquiries.")
    form = InquiryForm(
        request.POST or None,
        handlers=selectors.inquiry_handlers(office_id=request.user.office_id),
        initial={"handled_by": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.inquiry_record(
                acting_user=request.user,
                kind=data["kind"],
                channel=data["channel"],
                source=data["source"],
                subject=data["subject"],
                description=data["description"],
                requester_name=data["requester_name"],
                requester_contact=data["requester_contact"],
                client_number=data["client"],
                case_number=data["case"],
                received_at=data["received_at"],
                response_due_on=data["response_due_on"],
                handled_by=data["handled_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{inquiry.get_kind_display()} recorded; response due {inquiry.response_due_on:%Y-%m-%d}."
            )
            return redirect("casework:inquiry_detail", pk=inquiry.pk)
    return render(request, "casework/inquiry_form.html", {"form": form})


def _detail(request: HttpRequest, inquiry: Inquiry, form: InquiryRespondForm, status: int = 200) -> HttpResponse:
    services.inquiry_view_record(acting_user=request.user, inquiry=inquiry, client_visible=inquiry.client_visible)
    return render(
        request,
        "casework/inquiry_detail.html",
        {"inquiry": inquiry, "form": form, "today": timezone.localdate()},
        status=status,
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    return _detail(request, inquiry, InquiryRespondForm())


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def inquiry_respond(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    form = InquiryRespondForm(request.POST)
    if form.is_valid():
        try:
            services.inquiry_respond(acting_user=request.user, inquiry=inquiry, response=form.cleaned_data["response"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Response recorded.")
            return redirect("casework:inquiry_detail", pk=inquiry.pk)
    return _detail(request, inquiry, form, status=400)


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def inquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    try:
        services.inquiry_close(acting_user=request.user, inquiry=inquiry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Inquiry closed.")
    return redirect("casework:inquiry_detail", pk=inquiry.pk)


@replica_reads
@login_required
@permission_required("casework.read_inquiry_statistics", raise_exception=True)
def inquiry_statistics(request: HttpRequest) -> HttpResponse:
    """Inquiries per day and channel and per month and subject: figures only, no names.

    A worker sees their office's; an auditor any office's, or all together.
    """
    worker = access.may_work_cases(request.user)
    if worker and request.user.office_id is None:
        raise PermissionDenied("You need an office to see its figures.")
    today = timezone.localdate()
    defaults = {"start": today - timedelta(days=STATISTICS_DAYS - 1), "end": today}
    form = InquiryStatisticsForm(
        request.GET if "start" in request.GET else None,
        initial=defaults,
        offices=None if worker else selectors.statistics_offices(user=request.user),
    )
    statistics, office = None, request.user.office if worker else None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        office = office if worker else data.get("office")
        statistics = selectors.inquiry_statistics(
            office=office, start=data["start"], end=data["end"], kind=data["kind"]
        )
    elif not form.is_bound:
        statistics = selectors.inquiry_statistics(office=office, **defaults)
    return render(
        request,
        "casework/inquiry_statistics.html",
        {"form": form, "statistics": statistics, "office": office},
        status=200 if statistics else 400,
    )
