import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.middleware import OTPMiddleware

from accounts.access import on_call_access
from audit import context


class CachedOTPMiddleware(OTPMiddleware):
    """django_otp's middleware, with the device that verified the session read from the cache."""

    def _device_from_persistent_id(self, persistent_id: str):
        from accounts.access_cache import otp_device

        return otp_device(
            persistent_id, lambda: super(CachedOTPMiddleware, self)._device_from_persistent_id(persistent_id)
        )


SESSION_STARTED_KEY = "casework_session_started"
SESSION_RENEWED_KEY = "casework_session_renewed"


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active it has been, and keeps an active one
    from reaching its 30-minute idle limit.

    The idle limit is the session's age (SESSION_COOKIE_AGE), counted from its last save. Saving
    it on every request would cost each page a write; it is renewed instead when its last renewal
    is SESSION_RENEW_SECONDS old, so a person idle for 30 minutes is signed out at most that much
    earlier than exactly 30 minutes after their last request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            if now - request.session.get(SESSION_RENEWED_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[SESSION_RENEWED_KEY] = now  # saved, with a new expiry, by SessionMiddleware
        return self.get_response(request)


SECOND_FACTOR_STATE_KEY = "casework_second_factor"


class SecondFactorMiddleware:
    """A signed-in person with an authenticator must give its code before anything else; a
    person whose role requires one must set one up first. Only the pages for doing that,
    signing out, static files and /healthz are open meanwhile.

    After django_otp's OTPMiddleware, which says whether this session gave a code. What the
    session owes is decided once, at sign-in (`accounts.second_factor.second_factor_state`),
    so pages pay no query for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not _open_path(request.path) and not user.is_verified():
            from accounts import second_factor

            state = request.session.get(SECOND_FACTOR_STATE_KEY)
            if state is None:
                state = request.session[SECOND_FACTOR_STATE_KEY] = second_factor.second_factor_state(user)
            elif state == second_factor.NOTHING and second_factor.second_factor_required(user):
                # Given a role that needs a code since signing in (the roles come from the cache).
                state = request.session[SECOND_FACTOR_STATE_KEY] = second_factor.NEEDS_SETUP
            if state == second_factor.NEEDS_CODE:
                return redirect_to_login(request.get_full_path(), reverse("accounts:second_factor"))
            if state == second_factor.NEEDS_SETUP:
                return redirect_to_login(request.get_full_path(), reverse("accounts:second_factor_setup"))
        return self.get_response(request)


def _open_path(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path.startswith(static) or path in {
        reverse("accounts:second_factor"),
        reverse("accounts:second_factor_setup"),
        reverse("accounts:logout"),
        reverse("healthz"),
    }


class OnCallAuditMiddleware:
    """Marks what a worker reads through their on-call shift as on-call access in the audit trail:
    an event naming a client they could not see outside the shift (`accounts.access.on_call_access`).

    The shift is looked up only when an event names clients, once per request, and only where
    the office does not share its cases (elsewhere the shift opens nothing more).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def note(client_ids: list[int]) -> str:
            shift = on_call_access(request.user, client_ids)
            return (
                f"On-call access: on call for {shift.office} until {timezone.localtime(shift.ends_at):%Y-%m-%d %H:%M}"
                if shift
                else ""
            )

        token = context.bind_access_note(note)
        try:
            return self.get_response(request)
        finally:
            context.reset_access_note(token)


class UserLanguageMiddleware:
    """Pages in the language the signed-in person chose (`User.language`).

    After AuthenticationMiddleware; LocaleMiddleware has already chosen from the browser, and
    that choice stands for people who chose nothing and for the sign-in page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = user.language if user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
