import textwrap
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import AuthenticatorConfirmForm, LanguageForm, LoginForm, SecondFactorForm
from accounts.second_factor import (
    authenticator_confirm,
    authenticator_start,
    has_second_factor,
    pending_authenticator,
    second_factor_required,
    second_factor_verify,
)
from accounts.services import user_language_set

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


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("home")


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(user):
        return redirect(f"{reverse('accounts:second_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not right. Codes change every 30 seconds; type the one shown now."))
    return render(request, "accounts/second_factor.html", {"form": form, "next": _next_url(request)})


def _qr_svg(url: str) -> str:
    # segno draws the QR code as an SVG path: no script, no style, allowed by the page's policy.
    return segno.make(url, error="m").svg_inline(scale=4, title="Code to scan with the authenticator app")


@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app (scan the code, type what it shows); then the recovery codes, once."""
    user = request.user
    if has_second_factor(user) and not user.is_verified():
        # Replacing an authenticator takes the current one first: a password alone is not enough.
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': request.get_full_path()})}")
    device = pending_authenticator(user)
    form = AuthenticatorConfirmForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        codes = authenticator_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error(
            "code", _("That code does not match. Check the app's clock is right and type the code shown now.")
        )
    if device is None:
        device = authenticator_start(user=user)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "required": second_factor_required(user),
            "qr_svg": mark_safe(_qr_svg(device.config_url)),
            "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
        },
    )


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The user menu's language switch: the signed-in person's own pages, from now on."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        user_language_set(acting_user=request.user, user=request.user, language=form.cleaned_data["language"])
        translation.activate(form.cleaned_data["language"] or translation.get_language_from_request(request))
        messages.success(request, _("Your pages are now in this language."))
    else:
        messages.error(request, _("Choose one of the languages offered."))
    return redirect(_next_url(request))
