"""The home page: what each user has to do today, by role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
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
    return render(request, "home.html", context)
