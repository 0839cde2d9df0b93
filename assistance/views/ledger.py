"""Ledger pages: one client's entries and balances, and the programs' monthly totals and budgets."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import access
from accounts.models import Office, Role
from assistance.models import Account
from assistance.selectors import ledger as selectors
from clients import selectors as client_selectors
from clients.services import client_view_record

ENTRIES_PER_PAGE = 50
ROWS_PER_PAGE = 60


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _month_param(request: HttpRequest, name: str) -> date | None:
    """A month typed as 2026-03 (an <input type="month">), else None."""
    try:
        year, month = (int(p) for p in request.GET.get(name, "").split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return None


@login_required
def client_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's entries, filterable by program and month, with running balances per account."""
    client = client_selectors.client_get(user=request.user, pk=pk)
    ledger = selectors.client_ledger(
        client_id=client.pk, program_id=_int_param(request, "program"), month=_month_param(request, "month")
    )
    program_id, month = ledger.program_id, ledger.month
    page = Paginator(
        selectors.client_ledger_entries(client_id=client.pk, program_id=program_id, month=month), ENTRIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    opening = {
        Account.ISSUED: ledger.opening.issued,
        Account.PAYMENTS: ledger.opening.payments,
        Account.RECEIVABLE: ledger.opening.receivable,
        Account.WRITTEN_OFF: ledger.opening.written_off,
    }
    entries = [(entry, entry.running + opening[entry.account]) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    client_view_record(acting_user=request.user, client=client, page="ledger")
    return render(
        request,
        "assistance/client_ledger.html",
        {
            "client": client,
            "tab": "ledger",
            "ledger": ledger,
            "page": page,
            "entries": entries,
            "program_id": program_id,
            "month": month,
            "query": query.urlencode(),
        },
    )


@login_required
def program_ledger(request: HttpRequest) -> HttpResponse:
    """Monthly totals per program from the ledger, and each program's budget in force.

    Supervisors see the sums over the cases they may see; auditors and administrators the agency's
    (with an office to narrow it to). Nobody else.
    """
    user = request.user
    agency_wide = bool({Role.AUDITOR, Role.ADMIN} & user.roles)
    if not (access.may_supervise(user) or agency_wide):
        raise PermissionDenied
    this_month = timezone.localdate().replace(day=1)
    end = _month_param(request, "to") or this_month
    start = _month_param(request, "from") or selectors.add_months(end, -11)
    if start > end:
        start, end = end, start
    offices = list(Office.objects.order_by("name")) if agency_wide else []
    office_id = _int_param(request, "office") if agency_wide else None
    programs = list(selectors.programs_with_entries())
    program_id = _int_param(request, "program")
    if program_id not in {p.pk for p in programs}:
        program_id = None
    totals = selectors.program_month_totals(
        user=user, agency_wide=agency_wide, start=start, end=end, program_id=program_id, office_id=office_id
    )
    page = Paginator(totals, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    budgets = selectors.budget_figures(program_ids=[program_id] if program_id else None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/program_ledger.html",
        {
            "page": page,
            "rows": [{**row, "paid": -row["payments"]} for row in page.object_list],
            "budgets": sorted(budgets.values(), key=lambda b: b.budget.program.name),
            "programs": programs,
            "program_id": program_id,
            "offices": offices,
            "office_id": office_id,
            "agency_wide": agency_wide,
            "start": start,
            "end": end,
            "query": query.urlencode(),
        },
    )
