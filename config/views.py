from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clients.selectors import client_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"counts": client_counts(user=request.user)})
