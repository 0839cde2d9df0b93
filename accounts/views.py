from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.forms import LoginForm

LOCKOUT_MESSAGE = (
    "Too many failed sign-in attempts. This account is locked for 15 minutes; "
    "ask an administrator if you need in sooner."
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this for a locked account. The same words whether the username exists or not."""
    form = LoginForm(request)
    # The form stays unbound (binding it would authenticate again); add_error expects cleaned_data.
    form.cleaned_data = {}
    form.add_error(None, LOCKOUT_MESSAGE)
    return render(request, "accounts/login.html", {"form": form}, status=403)
