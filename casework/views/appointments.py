"""Appointments: a case's tab, booking, marking, rescheduling, conference actions; the worker's
day and week, the supervisor's team view, the private calendar feed, and the on-call roster."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Office, OnCallShift
from accounts.services import on_call_shift_add, on_call_shift_cancel
from audit.services import audit_page_read
from casework import ical
from casework.forms.appointments import (
    AppointmentForm,
    ConferenceActionForm,
    MarkForm,
    OnCallShiftForm,
    RescheduleForm,
)
from casework.selectors import appointments as selectors
from casework.selectors import cases as case_selectors
from casework.selectors.tasks import task_assignees
from casework.services import appointments as services
from casework.views.cases import case_page
from core.forms import add_service_errors


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@login_required
def case_appointments(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case_page(
        request,
        case,
        "appointments",
        "casework/appointment_case.html",
        appointments=selectors.case_appointments(case=case),
        reminder_days=services.reminder_days(),
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def appointment_book(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = AppointmentForm(
        request.POST or None,
        clients=selectors.case_clients(case=case),
        workers=task_assignees(case=case),
        initial={"worker": case.assigned_worker_id, "client": case.primary_client_id, "minutes": 60},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appointment_book(
                acting_user=request.user,
                case=case,
                client=selectors.case_client(case=case, client_id=data["client"]),
                worker=data["worker"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                phone=data["phone"],
                required=data["required"],
                agenda=data["agenda"],
                colleagues=data["colleagues"],
                outside_participants=data["outside_participants"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = _local(appointment.starts_at)
            messages.success(request, f"{appointment.get_kind_display()} booked for {when} with {appointment.worker}.")
            return redirect("casework:appointment_detail", pk=appointment.pk)
    return case_page(request, case, "appointments", "casework/appointment_form.html", form=form)


@login_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    case = case_selectors.case_get(user=request.user, pk=appointment.case_id)
    return _detail(request, appointment, case)


def _detail(request, appointment, case, *, mark_form=None, reschedule_form=None, action_form=None, status=200):
    return case_page(
        request,
        case,
        "appointments",
        "casework/appointment_detail.html",
        status=status,
        appointment=appointment,
        rescheduled_from=selectors.appointment_rescheduled_from(appointment=appointment),
        mark_form=mark_form or MarkForm(),
        reschedule_form=reschedule_form
        or RescheduleForm(initial={"day": timezone.localdate(appointment.starts_at), "minutes": 60}),
        action_form=action_form or ConferenceActionForm(workers=task_assignees(case=case)),
    )


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def appointment_mark(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = MarkForm(request.POST)
    if form.is_valid():
        try:
            appointment = services.appointment_mark(
                acting_user=request.user,
                appointment=appointment,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Appointment marked {appointment.get_status_display().lower()}.")
            return redirect("casework:appointment_detail", pk=appointment.pk)
    case = case_selectors.case_get(user=request.user, pk=appointment.case_id)
    return _detail(request, appointment, case, mark_form=form, status=400)


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            new = services.appointment_reschedule(
                acting_user=request.user,
                appointment=appointment,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Appointment moved to {_local(new.starts_at)}.")
            return redirect("casework:appointment_detail", pk=new.pk)
    case = case_selectors.case_get(user=request.user, pk=appointment.case_id)
    return _detail(request, appointment, case, reschedule_form=form, status=400)


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def appointment_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    case = case_selectors.case_get(user=request.user, pk=appointment.case_id)
    form = ConferenceActionForm(request.POST, workers=task_assignees(case=case))
    if form.is_valid():
        try:
            task = services.appointment_action_add(
                acting_user=request.user, appointment=appointment, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Task “{task.title}” added for {task.assignee}.")
            return redirect("casework:appointment_detail", pk=appointment.pk)
    return _detail(request, appointment, case, action_form=form, status=400)


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    """A worker's day or week (a supervisor may open a team member's)."""
    workers = selectors.calendar_workers(user=request.user)
    worker = request.user
    if request.GET.get("worker", "").isdigit():
        worker = next((w for w in workers if w.pk == int(request.GET["worker"])), None)
        if worker is None:
            raise Http404("No such worker on your team.")
    view = "day" if request.GET.get("view") == "day" else "week"
    day = _day(request.GET.get("day"))
    first, days = (day, 1) if view == "day" else (day - timedelta(days=day.weekday()), 7)
    appointments = selectors.calendar(user=request.user, workers=[worker], first=first, days=days)
    audit_page_read(actor=request.user, page="calendar", client_ids=[a.client_id for a in appointments])
    step = timedelta(days=days)
    return render(
        request,
        "casework/calendar.html",
        {
            "worker": worker,
            "workers": workers,
            "view": view,
            "first": first,
            "last": first + timedelta(days=days - 1),
            "previous": first - step,
            "next": first + step,
            "days": selectors.by_day(appointments, first=first, days=days),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("casework.supervise", raise_exception=True)
def team_calendar(request: HttpRequest) -> HttpResponse:
    """A supervisor's team on one day: each member's appointments side by side."""
    day = _day(request.GET.get("day"))
    workers = selectors.calendar_workers(user=request.user)
    appointments = selectors.calendar(user=request.user, workers=workers, first=day, days=1)
    audit_page_read(actor=request.user, page="team calendar", client_ids=[a.client_id for a in appointments])
    rows = [(worker, [a for a in appointments if a.worker_id == worker.pk]) for worker in workers]
    return render(
        request,
        "casework/calendar_team.html",
        {"day": day, "rows": rows, "previous": day - timedelta(days=1), "next": day + timedelta(days=1)},
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The worker's appointments for their calendar application, by a secret address: no sign-in,
    and no client names (`casework.ical`)."""
    feed = selectors.feed_get(token=token)
    now = timezone.now()
    body = ical.calendar_feed(
        selectors.feed_appointments(worker=feed.user, now=now),
        name=f"Casework: {feed.user}",
        host=request.get_host().split(":")[0],
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """The worker's private calendar address, and a button that replaces it."""
    if request.method == "POST":
        services.calendar_feed_renew(user=request.user)
        messages.success(request, "Your calendar has a new address; the old one no longer works.")
        return redirect("casework:calendar_feed_settings")
    feed = selectors.feed_of(user=request.user)
    url = request.build_absolute_uri(reverse("casework:calendar_feed", args=[feed.token])) if feed else ""
    return render(request, "casework/calendar_feed.html", {"feed": feed, "url": url})


def _roster_office(request: HttpRequest) -> Office:
    code = request.GET.get("office") or request.POST.get("office")
    if code and access.may_keep_on_call_roster(request.user, None):  # administrators choose the office
        return get_object_or_404(Office, code=code)
    if request.user.office_id is None:
        raise Http404("You belong to no office.")
    return request.user.office


@login_required
def on_call_roster(request: HttpRequest) -> HttpResponse:
    """Who is on call for the office, now and for the next two weeks; supervisors and admins add shifts."""
    if not (access.may_work_cases(request.user) or access.may_keep_on_call_roster(request.user, None)):
        raise PermissionDenied("The on-call roster is for the office's workers.")
    office = _roster_office(request)
    may_keep = access.may_keep_on_call_roster(request.user, office.pk)
    form = OnCallShiftForm(request.POST or None, workers=selectors.roster_workers(office_id=office.pk))
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied("Only the office's supervisors and administrators keep its on-call roster.")
        if form.is_valid():
            try:
                shift = on_call_shift_add(acting_user=request.user, office=office, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{shift.user} is on call from {_local(shift.starts_at)}.")
                return redirect(f"{reverse('casework:on_call_roster')}?office={office.code}")
    shifts = selectors.on_call_roster(office_id=office.pk, now=timezone.now())
    return render(
        request,
        "casework/on_call_roster.html",
        {"office": office, "shifts": shifts, "form": form, "may_keep": may_keep, "now": timezone.now()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def on_call_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(OnCallShift, pk=pk)
    try:
        on_call_shift_cancel(acting_user=request.user, shift=shift, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{shift.user}'s shift is off the roster.")
    return redirect(f"{reverse('casework:on_call_roster')}?office={shift.office.code}")


def home_card(user) -> dict | None:
    """The home page's card (registered in `casework.apps`): the worker's appointments today, and
    who is on call for their office now."""
    if not access.may_work_cases(user) or not user.office_id:
        return None
    now = timezone.now()
    today = selectors.calendar(user=user, workers=[user], first=timezone.localdate(), days=1)
    return {
        "template": "casework/home_card_appointments.html",
        "order": 25,
        "appointments": today,
        "on_call": selectors.on_call_now(office_id=user.office_id, now=now),
        "client_ids": [a.client_id for a in today],
    }
