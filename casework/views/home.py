"""The home page: what each user has to do today, by role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from audit.services import audit_page_read
from casework.home_cards import home_cards
from casework.selectors import home as selectors
from clients.selectors import client_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A caseworker's cases, tasks, latest contacts and inquiries; a supervisor's team.

    Admins and auditors keep their cards (the registry's figures, the audit trail); auditors
    also get the inquiry figures. Apps above casework add their own cards (`casework.home_cards`).
    """
    user = request.user
    context = {"counts": client_counts(user=user)}
    if user.has_role(Role.CASEWORKER):
        context["worker"] = selectors.worker_home(user=user)
    if user.has_role(Role.SUPERVISOR):
        context["team"] = selectors.supervisor_home(user=user)
    context["cards"] = home_cards(user)
    audit_page_read(actor=user, page="home", client_ids=_clients_named(context))
    return render(request, "home.html", context)


def _clients_named(context: dict) -> list[int]:
    """The clients whose names the home page shows: tasks' and quiet cases' clients, and the cards'."""
    ids = []
    if "worker" in context:
        ids += [i for task in context["worker"].tasks for i in task.client_ids]
    if "team" in context:
        ids += [case.primary_client_id for case in context["team"].no_contact_cases]
    for card in context["cards"]:
        ids += card.get("client_ids", [])
    return ids
