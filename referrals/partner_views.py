"""The receiving organization's page for one referral, reached by its signed link, no sign-in."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from referrals import partners
from referrals.models import Referral, Service


def _refused(request: HttpRequest, error: Exception) -> HttpResponse:
    return render(request, "referrals/partner_refused.html", {"message": str(error)}, status=410)


@never_cache
def partner_referral(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the referral as the consent allows; POST records the organization's answer."""
    try:
        referral = partners.partner_link_referral(token=token)
    except partners.LinkRefused as error:
        return _refused(request, error)
    account = partners.organization_account(organization=referral.organization)
    errors: list[str] = []
    if request.method == "POST":
        try:
            _act(request.POST, referral=referral, account=account)
        except partners.LinkRefused as error:
            return _refused(request, error)
        except (ValidationError, PermissionDenied) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            messages.success(request, "Thank you: the agency's worker sees your answer.")
            return redirect("referrals:partner_referral", token=token)
        referral.refresh_from_db()
    try:
        view = partners.partner_view(referral=referral, account=account)
    except partners.LinkRefused as error:
        return _refused(request, error)
    context = {
        "view": view,
        "token": token,
        "errors": errors,
        "declined_reasons": Referral.Declined.choices,
        "outcomes": Referral.Outcome.choices,
        "intakes": Service.Intake.choices,
    }
    return render(request, "referrals/partner_referral.html", context, status=400 if errors else 200)


def _act(data, *, referral: Referral, account) -> None:
    partners.referral_partner_act(referral=referral, account=account, action=data.get("action", ""), data=data)
