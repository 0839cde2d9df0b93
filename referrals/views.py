"""Pages of the resource directory and of referrals.

The directory is for every signed-in staff member. A referral's pages are a tab of its
case: they fetch the case or the referral through the access rule (404 otherwise) and
record the read like every case page.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import client_scope
from accounts.models import Office, Role
from audit.services import audit_page_read
from casework.selectors import cases as case_selectors
from casework.services.cases import case_view_record
from casework.views.cases import case_page
from clients.models import Client, HouseholdMembership
from core.forms import add_service_errors
from core.replica import replica_reads
from referrals import charts, hsds, partners, services
from referrals.forms import DirectoryImportForm, DirectorySearchForm, ReferralForm, ReferralMoveForm
from referrals.models import Referral
from referrals.selectors import directory as directory_selectors
from referrals.selectors import referrals as selectors
from referrals.selectors.figures import add_months, referral_figures
from referrals.selectors.figures import partner_figures as partner_figures_for
from referrals.selectors.referrals import consent_covering

PAGE_SIZE = 25


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _case_in_context(request: HttpRequest):
    """The case a worker is referring from (`?case=`), if any: 404 when they may not see it."""
    case_pk = _int_param(request, "case")
    if case_pk is None or not request.user.has_perm("referrals.refer"):
        return None
    return case_selectors.case_get(user=request.user, pk=case_pk)


# The directory ------------------------------------------------------------------------


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Search the directory; with `?case=`, each result offers to refer that case's client."""
    case = _case_in_context(request)
    form = DirectorySearchForm(request.GET or None, **directory_selectors.directory_choices())
    criteria = form.cleaned_data if form.is_valid() else {}
    services_found = directory_selectors.directory_search(
        q=criteria.get("q", ""),
        category=criteria.get("category"),
        language=criteria.get("language"),
        area=criteria.get("area", ""),
    )
    page = Paginator(services_found, PAGE_SIZE).get_page(request.GET.get("page"))
    if case is not None:
        case_view_record(acting_user=request.user, case=case, page="directory")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/directory.html",
        {"form": form, "page": page, "case": case, "query": query.urlencode()},
    )


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = directory_selectors.service_get(pk=pk)
    case = _case_in_context(request)
    my_cases = []
    if case is None and request.user.has_perm("referrals.refer"):
        my_cases = list(case_selectors.case_list(user=request.user, worker=request.user, status="active"))
    if case is not None:
        case_view_record(acting_user=request.user, case=case, page="directory")
    audit_page_read(actor=request.user, page="refer from a service", client_ids=[c.primary_client_id for c in my_cases])
    return render(request, "referrals/service_detail.html", {"service": service, "case": case, "my_cases": my_cases})


@login_required
@permission_required("referrals.manage_directory", raise_exception=True)
def directory_import(request: HttpRequest) -> HttpResponse:
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            report = services.directory_import(acting_user=request.user, source=upload, name=upload.name)
        except hsds.HsdsError as error:
            form.add_error("package", _("Nothing was imported. Correct these rows and try again:"))
            for problem in error.problems:
                form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                _("%(name)s imported: %(value)s.")
                % {"name": upload.name, "value": report.summary() or "nothing in it"},
            )
            return redirect("referrals:directory_import")
    return render(request, "referrals/directory_import.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@permission_required("referrals.manage_directory", raise_exception=True)
def directory_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(hsds.package_zip(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="directory-hsds-{timezone.localdate():%Y-%m-%d}.zip"'
    return response


# Referrals of a case --------------------------------------------------------------------


@login_required
def case_referrals(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case_page(
        request,
        case,
        "referrals",
        "referrals/case_referrals.html",
        referrals=selectors.case_referrals(user=request.user, case=case),
    )


def _household_clients(user, case) -> QuerySet[Client]:
    """Who can be referred from the case: its primary client and current members the user may see."""
    members = HouseholdMembership.objects.filter(household_id=case.household_id, end_date__isnull=True)
    return Client.objects.filter(client_scope(user)).filter(
        Q(pk__in=members.values("client_id")) | Q(pk=case.primary_client_id)
    )


@login_required
@permission_required("referrals.refer", raise_exception=True)
def referral_new(request: HttpRequest) -> HttpResponse:
    """Refer a client of `?case=` to `?service=`; without a service, choose one in the directory."""
    case = _case_in_context(request)
    if case is None:
        raise Http404("Refer from a case.")
    service_pk = _int_param(request, "service")
    if service_pk is None:
        return redirect(f"{reverse('referrals:directory')}?case={case.pk}")
    service = directory_selectors.service_get_for_referral(pk=service_pk)
    may_override = request.user.has_perm("referrals.override_consent")
    form = ReferralForm(
        request.POST or None,
        clients=_household_clients(request.user, case).order_by("last_name", "first_name"),
        locations=service.locations.all(),
        may_override=may_override,
        initial={"client": case.primary_client_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                acting_user=request.user,
                case=case,
                client=data["client"],
                service=service,
                location=data["location"],
                reason=data["reason"],
                urgency=data["urgency"],
                shared=data["shared"],
                send=request.POST.get("action") != "draft",
                consent_override_reason=data.get("consent_override_reason", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "saved as a draft" if referral.status == Referral.Status.DRAFT else "sent"
            messages.success(
                request,
                _("Referral of %(full_name)s to %(name)s %(verb)s.")
                % {"full_name": referral.client.full_name, "name": service.name, "verb": verb},
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    consent = None
    if not service.is_internal:
        consent = consent_covering(
            client=case.primary_client, organization=service.organization, day=timezone.localdate()
        )
    response = case_page(
        request, case, "referrals", "referrals/referral_form.html", form=form, service=service, consent=consent
    )
    response.status_code = 400 if form.errors else 200
    return response


def _partner_link(request: HttpRequest, referral) -> str:
    """The link the worker gives the organization, while it has something to answer."""
    if referral.service.is_internal or referral.status not in (Referral.Status.SENT, Referral.Status.ACCEPTED):
        return ""
    token = partners.partner_link_token(referral=referral)
    return request.build_absolute_uri(reverse("referrals:partner_referral", args=[token]))


def _detail(request: HttpRequest, referral, form: ReferralMoveForm, status: int = 200) -> HttpResponse:
    response = case_page(
        request,
        referral.case,
        "referrals",
        "referrals/referral_detail.html",
        referral=referral,
        history=selectors.referral_history(referral=referral),
        move_form=form,
        partner_link=_partner_link(request, referral),
    )
    response.status_code = status
    return response


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    form = ReferralMoveForm(referral=referral, may_override=request.user.has_perm("referrals.override_consent"))
    return _detail(request, referral, form)


@login_required
@require_POST
@permission_required("referrals.refer", raise_exception=True)
def referral_move(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    may_override = request.user.has_perm("referrals.override_consent")
    form = ReferralMoveForm(request.POST, referral=referral, may_override=may_override)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_move(
                acting_user=request.user,
                referral=referral,
                to=data["to"],
                reason=data["reason"],
                outcome=data.get("outcome", ""),
                consent_override_reason=data.get("consent_override_reason", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Referral to %(name)s is now %(lower)s.")
                % {"name": referral.service.name, "lower": referral.get_status_display().lower()},
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    return _detail(request, referral, form, status=400)


@login_required
@permission_required("referrals.refer", raise_exception=True)
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter as a PDF, with only what the referral shares."""
    referral = selectors.referral_get(user=request.user, pk=pk)
    try:
        pdf = services.referral_letter_issue(acting_user=request.user, referral=referral)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("referrals:referral_detail", pk=referral.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
    return response


# A worker's referrals and the figures ---------------------------------------------------------


@login_required
@permission_required("referrals.refer", raise_exception=True)
def follow_up(request: HttpRequest) -> HttpResponse:
    """The open referrals on the worker's cases, those awaiting follow-up first."""
    page = Paginator(selectors.my_open_referrals(user=request.user), 50).get_page(request.GET.get("page"))
    audit_page_read(actor=request.user, page="referrals to follow up", client_ids=[r.client_id for r in page])
    return render(request, "referrals/follow_up.html", {"page": page, "follow_up_days": _follow_up_days()})


def _follow_up_days() -> list[tuple[str, int]]:
    labels = dict(Referral.Urgency.choices)
    return [(labels[u], d) for u, d in Referral.follow_up_days().items()]


def _month_param(text: str) -> date | None:
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@replica_reads
@login_required
@permission_required("referrals.read_figures", raise_exception=True)
def figures(request: HttpRequest) -> HttpResponse:
    this_month = timezone.localdate().replace(day=1)
    month = _month_param(request.GET.get("month", "")) or this_month
    if not date(2000, 1, 1) <= month <= this_month:
        month = this_month
    agency_wide = bool({Role.AUDITOR, Role.ADMIN} & request.user.roles)
    offices = list(Office.objects.order_by("name")) if agency_wide else []
    office = next((o for o in offices if str(o.pk) == request.GET.get("office")), None)
    return render(
        request,
        "referrals/figures.html",
        {
            "figures": referral_figures(user=request.user, month=month, office=office),
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1) if month < this_month else None,
            "offices": offices,
            "office": office,
            "own_office": None if agency_wide else request.user.office,
        },
    )


# The home page's card ---------------------------------------------------------------------------------


def home_card(user) -> dict | None:
    """Registered with casework's home page (see `referrals.apps`): a caseworker's referrals
    awaiting follow-up."""
    if not user.has_role(Role.CASEWORKER):
        return None
    follow_ups = selectors.home_follow_ups(user=user)
    return {
        "template": "referrals/home_card.html",
        "order": 30,
        "follow_ups": follow_ups,
        "client_ids": [referral.client_id for referral in follow_ups.referrals],
    }


@replica_reads
@login_required
@permission_required("referrals.read_figures", raise_exception=True)
def partner_figures(request: HttpRequest) -> HttpResponse:
    """How organizations answer referrals, per service and month: a chart, its table and a summary."""
    this_month = timezone.localdate().replace(day=1)
    month = _month_param(request.GET.get("month", "")) or this_month
    if not date(2000, 1, 1) <= month <= this_month:
        month = this_month
    figures = partner_figures_for(user=request.user, month=month)
    title = f"Referrals sent, accepted and served, 12 months to {month:%B %Y}"
    return render(
        request,
        "referrals/partner_figures.html",
        {
            "figures": figures,
            "month": month,
            "chart": charts.monthly_bars(figures["months"], title=title),
            "chart_title": title,
            "summary": charts.summary(figures["months"]),
        },
    )
