"""Pages of attendance: the tab (activities and the month's participation), scheduling, and a week's entry."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import participation as arithmetic
from casework.forms.attendance import (
    AttendanceWeekFormSet,
    ScheduledActivityEndForm,
    ScheduledActivityForm,
    add_row_errors,
    cell_key,
    mark_invalid,
)
from casework.models import ScheduledActivity
from casework.selectors import attendance as selectors
from casework.selectors import cases as case_selectors
from casework.selectors.plans import case_clients
from casework.services import attendance as services
from casework.views.cases import case_page
from core.forms import add_service_errors

WORK = "casework.work_cases"


def _data(request: HttpRequest):
    """The posted data, even when empty (an empty form is still a submitted one)."""
    return request.POST if request.method == "POST" else None


def _month(value: str | None, today: date) -> tuple[int, int]:
    """The month asked for (?month=YYYY-MM), else the last one that has ended."""
    try:
        return arithmetic.parse_month(value or "")
    except ValueError:
        return arithmetic.previous_month(today)


def _monday(value: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = today
    return selectors.week_start(day)


def _week_url(case_pk: int, client_pk: int, monday: date) -> str:
    url = reverse("casework:attendance_week", kwargs={"pk": case_pk, "client_pk": client_pk})
    return f"{url}?week={monday.isoformat()}"


@login_required
def case_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance tab: each client's scheduled activities and a month's hours against the requirement."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    today = timezone.localdate()
    year, month = _month(request.GET.get("month"), today)
    first, last = arithmetic.month_bounds(year, month)
    mondays = []
    monday = selectors.week_start(first)
    while monday <= last:
        mondays.append(monday)
        monday += timedelta(days=7)
    return case_page(
        request,
        case,
        "attendance",
        "casework/attendance.html",
        rows=selectors.case_attendance(user=request.user, case=case, year=year, month=month, today=today),
        month_value=f"{year}-{month:02d}",
        month_start=first,
        mondays=mondays,
        this_monday=selectors.week_start(today),
    )


@login_required
@permission_required(WORK, raise_exception=True)
def attendance_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a client of the case for an activity, with weekly hours."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    clients = case_clients(user=request.user, case=case)
    form = ScheduledActivityForm(
        _data(request),
        clients=clients,
        work_activities=selectors.schedulable_work_activities(case=case, clients=clients),
        initial={"client": request.GET.get("client"), "starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.scheduled_activity_create(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s scheduled for %(client)s, %(weekly_hours)s h a week.")
                % {"name": activity.name, "client": activity.client, "weekly_hours": activity.weekly_hours},
            )
            return redirect("casework:case_attendance", pk=case.pk)
    response = case_page(request, case, "attendance", "casework/attendance_activity_form.html", form=form)
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@permission_required(WORK, raise_exception=True)
def attendance_activity_end(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """Set the last day of a scheduled activity."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    activity = get_object_or_404(
        ScheduledActivity.objects.select_related("client"),
        case=case,
        client__in=case_clients(user=request.user, case=case),
        pk=activity_pk,
    )
    form = ScheduledActivityEndForm(_data(request), initial={"ends_on": activity.ends_on or timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.scheduled_activity_end(
                acting_user=request.user, activity=activity, ends_on=form.cleaned_data["ends_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{activity.name} ends on {form.cleaned_data['ends_on']:%Y-%m-%d}.")
            return redirect("casework:case_attendance", pk=case.pk)
    response = case_page(
        request, case, "attendance", "casework/attendance_activity_end.html", activity=activity, form=form
    )
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@permission_required(WORK, raise_exception=True)
def attendance_week(request: HttpRequest, pk: int, client_pk: int) -> HttpResponse:
    """A week of one client's attendance on one screen: the 7 days by the activities running that week.

    Saving makes or replaces the entry of every day filled in; if any day is refused, nothing is saved.
    """
    case = case_selectors.case_get(user=request.user, pk=pk)
    client = selectors.case_client_get(user=request.user, case=case, pk=client_pk)
    today = timezone.localdate()
    monday = _monday(request.GET.get("week"), today)
    days = [monday + timedelta(days=i) for i in range(7)]
    activities = selectors.week_activities(case=case, client=client, monday=monday)
    initial = []
    for day in days:
        for activity in activities:
            if activity.runs_on(day):
                entry = next((e for e in activity.week_entries if e.day == day), None)
                initial.append(_initial(activity, day, entry))
    formset = AttendanceWeekFormSet(
        _data(request),
        initial=initial,
        prefix="day",
        form_kwargs={"activities": {a.pk: a for a in activities}, "monday": monday},
    )
    if request.method == "POST" and formset.is_valid():
        filled = [form for form in formset.forms if not form.is_blank]
        try:
            if not filled:
                raise ValidationError(_("Enter the hours attended on at least one day."))
            services.attendance_week_record(
                acting_user=request.user,
                case=case,
                client=client,
                monday=monday,
                rows=[form.to_row() for form in filled],
            )
        except ValidationError as error:
            add_row_errors(formset, filled, error)
        else:
            messages.success(request, f"Attendance saved for {client}, week of {monday:%d %b %Y}.")
            return redirect(_week_url(case.pk, client.pk, monday))
    mark_invalid(formset)
    placed = {(form.activity.pk, form.day): form for form in formset.forms if form.activity is not None}
    grid = [(day, [(activity, placed.get((activity.pk, day))) for activity in activities]) for day in days]
    response = case_page(
        request,
        case,
        "attendance",
        "casework/attendance_week.html",
        client=client,
        monday=monday,
        sunday=days[-1],
        activities=activities,
        formset=formset,
        grid=grid,
        unplaced=[form for form in formset.forms if form.activity is None],
        previous_week=_week_url(case.pk, client.pk, monday - timedelta(days=7)),
        next_week=_week_url(case.pk, client.pk, monday + timedelta(days=7)),
    )
    if formset.is_bound:
        response.status_code = 400
    return response


def _initial(activity: ScheduledActivity, day: date, entry) -> dict:
    if entry is not None:
        return {
            "cell": cell_key(activity, day),
            "hours_scheduled": entry.hours_scheduled,
            "hours_attended": entry.hours_attended,
            "excused": entry.excused,
            "good_cause": entry.good_cause,
        }
    if activity.is_session:
        share = activity.session_hours if day == activity.starts_on else 0
    else:
        # Weekly hours spread over the working days, as a starting point the worker corrects.
        share = (activity.weekly_hours / 5).quantize(arithmetic.CENT) if day.weekday() < 5 else 0
    return {"cell": cell_key(activity, day), "hours_scheduled": share}
