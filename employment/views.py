"""Pages of employment services: the office's openings, and an opening with its matches and referrals.

For caseworkers and supervisors of the office; the clients they name are those the access rule
lets the user see, and showing them is recorded in the audit trail.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import case_scope, client_scope, may_work_cases
from audit.services import audit_page_read
from casework.models import Case
from clients.models import Client
from core.forms import add_service_errors
from employment import forms, selectors, services
from employment.models import JobReferral


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


@login_required
@require_POST
def opening_refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer one of the clients who fit (the case and client are those the match offered)."""
    _check(request)
    opening = selectors.opening_get(user=request.user, pk=pk)
    case = Case.objects.filter(case_scope(request.user), pk=_int(request.POST.get("case"))).first()
    person = Client.objects.filter(client_scope(request.user), pk=_int(request.POST.get("client"))).first()
    if case is None or person is None:
        raise Http404
    try:
        services.job_referral_create(acting_user=request.user, opening=opening, case=case, client=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(person)s is referred to %(opening)s.") % {"person": person.display_name, "opening": opening}
        )
    return redirect("employment:opening_detail", pk=opening.pk)


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    return render(
        request, "employment/session_list.html", {"sessions": selectors.sessions_for(user=request.user)[:200]}
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster, and its attendance recorded once for everyone (each person's own attendance)."""
    _check(request)
    session = selectors.session_get(user=request.user, pk=pk)
    roster = list(selectors.session_roster(user=request.user, session=session))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        rows, bad = [], []
        for entry in roster:
            raw = request.POST.get(f"hours-{entry.pk}", "").strip()
            try:
                hours = Decimal(raw)
            except InvalidOperation:
                bad.append(
                    _("%(person)s: enter the hours attended (0 if none).") % {"person": entry.client.display_name}
                )
                continue
            rows.append(
                services.SessionAttendance(
                    entry_id=entry.pk,
                    hours_attended=hours,
                    excused=request.POST.get(f"excused-{entry.pk}") == "on",
                    good_cause=request.POST.get(f"good_cause-{entry.pk}", ""),
                )
            )
        if bad:
            errors[""] = bad
        else:
            try:
                services.group_attendance_record(acting_user=request.user, session=session, rows=rows)
            except ValidationError as error:
                for key, problems in error.message_dict.items():
                    index = int(key.partition(":")[0]) if key[:1].isdigit() else None
                    who = roster[index].client.display_name if index is not None else ""
                    errors.setdefault(who, []).extend(problems)
            else:
                messages.success(
                    request,
                    _("Attendance of %(session)s is recorded for %(count)s people.")
                    % {"session": session, "count": len(rows)},
                )
                return redirect("employment:session_detail", pk=session.pk)
    for entry in roster:
        recorded = [e for e in entry.activity.entries.all() if e.day == session.held_on]
        entry.recorded = recorded[0] if recorded else None
        entry.typed = request.POST.get(f"hours-{entry.pk}", "") if request.method == "POST" else ""
    audit_page_read(
        actor=request.user,
        page=f"Group session {session}",
        client_ids=[e.client_id for e in roster],
        object_type="employment.groupsession",
    )
    return render(
        request,
        "employment/session_detail.html",
        {"session": session, "roster": roster, "errors": errors},
        status=400 if errors else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def home_card(user) -> dict | None:
    """Links to the office's openings and group sessions, for workers (no query)."""
    if not may_work_cases(user):
        return None
    return {"template": "employment/home_card.html", "order": 60}


def _form_page(request: HttpRequest, form, *, title: str, save, back: str) -> HttpResponse:
    """Bind, call one service, redirect; a service's refusal is shown on the form and nothing is lost."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s: saved.") % {"title": title})
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "employment/form.html", {"form": form, "title": title, "back": back}, status=status)


def _workable_cases(user):
    return (
        Case.objects.filter(case_scope(user), status__in=Case.ACTIVE, office_id=user.office_id)
        .select_related("primary_client")
        .order_by("number")
    )


@login_required
def employer_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.EmployerForm(request.POST or None)

    def save(data):
        employer = services.employer_create(acting_user=request.user, **data)
        return reverse("employment:employer_detail", args=[employer.pk])

    return _form_page(request, form, title=_("New employer"), save=save, back=reverse("employment:employer_list"))


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    """The office's employers, with their open openings: where job development starts."""
    _check(request)
    employers = selectors.employers_for(user=request.user)[:200]
    return render(request, "employment/employer_list.html", {"employers": employers})


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An employer's contacts and the log of job development contacts with them (no client is named)."""
    _check(request)
    employer = selectors.employer_get(user=request.user, pk=pk)
    context = {
        "employer": employer,
        "contacts": list(selectors.employer_contacts(employer=employer)[:200]),
        "log": list(selectors.development_log(employer=employer)[:200]),
    }
    return render(request, "employment/employer_detail.html", context)


@login_required
def employer_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    employer = selectors.employer_get(user=request.user, pk=pk)
    form = forms.EmployerContactForm(request.POST or None)

    def save(data):
        services.employer_contact_add(acting_user=request.user, employer=employer, **data)
        return reverse("employment:employer_detail", args=[employer.pk])

    back = reverse("employment:employer_detail", args=[employer.pk])
    return _form_page(
        request, form, title=_("New contact at %(employer)s") % {"employer": employer}, save=save, back=back
    )


@login_required
def development_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a visit, a call or a meeting with an employer, and what came of it."""
    _check(request)
    employer = selectors.employer_get(user=request.user, pk=pk)
    form = forms.DevelopmentContactForm(request.POST or None, contacts=selectors.employer_contacts(employer=employer))

    def save(data):
        services.development_contact_record(acting_user=request.user, employer=employer, **data)
        return reverse("employment:employer_detail", args=[employer.pk])

    back = reverse("employment:employer_detail", args=[employer.pk])
    title = _("Job development contact with %(employer)s") % {"employer": employer}
    return _form_page(request, form, title=title, save=save, back=back)


@login_required
def opening_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.OpeningForm(request.POST or None, employers=selectors.employers_for(user=request.user))

    def save(data):
        opening = services.opening_create(acting_user=request.user, **data)
        return reverse("employment:opening_detail", args=[opening.pk])

    return _form_page(request, form, title=_("New job opening"), save=save, back=reverse("employment:opening_list"))


@login_required
def placement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A referred client is hired: start, wage and hours; retention checks go on the worker's list."""
    _check(request)
    referral = get_object_or_404(
        JobReferral.objects.filter(client_scope(request.user, prefix="client__")).select_related("opening", "client"),
        opening__employer__office_id=request.user.office_id,
        pk=pk,
    )
    form = forms.PlacementForm(request.POST or None)

    def save(data):
        services.placement_create(acting_user=request.user, referral=referral, **data)
        return reverse("employment:opening_detail", args=[referral.opening_id])

    back = reverse("employment:opening_detail", args=[referral.opening_id])
    return _form_page(
        request,
        form,
        title=_("Placement of %(person)s") % {"person": referral.client.display_name},
        save=save,
        back=back,
    )


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = forms.SessionForm(request.POST or None)

    def save(data):
        session = services.group_session_create(acting_user=request.user, **data)
        return reverse("employment:session_detail", args=[session.pk])

    return _form_page(request, form, title=_("New group session"), save=save, back=reverse("employment:session_list"))


@login_required
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    session = selectors.session_get(user=request.user, pk=pk)
    form = forms.CaseChoiceForm(request.POST or None, cases=_workable_cases(request.user))

    def save(data):
        case = data["case"]
        services.roster_add(acting_user=request.user, session=session, case=case, client=case.primary_client)
        return reverse("employment:session_detail", args=[session.pk])

    back = reverse("employment:session_detail", args=[session.pk])
    return _form_page(request, form, title=_("Add to %(session)s") % {"session": session.title}, save=save, back=back)


@login_required
def skills_add(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Record skills for a client (from their résumé or an assessment), for matching to openings."""
    _check(request)
    person = get_object_or_404(Client.objects.filter(client_scope(request.user)), pk=client_pk)
    form = forms.SkillsForm(request.POST or None)

    def save(data):
        services.client_skills_add(acting_user=request.user, client=person, skills=data["skills"])
        return reverse("employment:opening_list")

    return _form_page(
        request,
        form,
        title=_("Skills of %(person)s") % {"person": person.display_name},
        save=save,
        back=reverse("employment:opening_list"),
    )
