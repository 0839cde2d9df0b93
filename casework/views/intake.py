from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from casework.services.intake import case_intake
from clients import selectors as client_selectors
from clients.forms import HouseholdIntakeForm, MemberFormSet
from clients.identifiers import identifier_hash_if_valid
from clients.models import Client
from clients.services import ClientInput, MemberError, MemberInput
from core.forms import add_service_errors


@login_required
@permission_required("clients.register_client", raise_exception=True)
def intake(request: HttpRequest) -> HttpResponse:
    """Register a household and open its case; likely duplicates are shown before anything is saved."""
    if request.user.office is None:
        raise PermissionDenied(_("You need an office before you can register clients."))
    household_form = HouseholdIntakeForm(request.POST or None)
    formset = MemberFormSet(request.POST or None, prefix="member")
    duplicates: dict[int, list[Client]] = {}
    if request.method == "POST" and household_form.is_valid() and formset.is_valid():
        members: list[MemberInput] = []
        for index, form in enumerate(formset.forms):
            data = form.cleaned_data
            match = data.get("match") or ""
            if match.isdigit():
                existing = client_selectors.clients_visible(user=request.user).filter(pk=int(match)).first()
                if existing is None:
                    form.add_error(None, _("That client is not available; choose again."))
                    continue
                members.append(MemberInput(relationship=data["relationship"], existing=existing))
                continue
            if match != "new":
                found = client_selectors.client_likely_duplicates(
                    user=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=data["date_of_birth"],
                    identifier_hash=identifier_hash_if_valid(data["identifier_kind"], data["identifier"]),
                )
                if found:
                    form.duplicates = duplicates[index] = found
                    if data["duplicates_shown"]:
                        form.add_error(None, _("Choose one of the people below, or 'None of these'."))
                    continue
            person = {k: v for k, v in data.items() if k not in ("relationship", "match")}
            person.update(household_form.cleaned_data)
            members.append(MemberInput(relationship=data["relationship"], new=ClientInput.from_data(person)))
        if not duplicates and not any(f.errors for f in formset.forms):
            try:
                case = case_intake(
                    acting_user=request.user,
                    members=members,
                    name=household_form.cleaned_data["name"],
                    restricted=household_form.cleaned_data["restricted"],
                )
            except MemberError as error:
                add_service_errors(formset.forms[error.index], error)
            except ValidationError as error:
                add_service_errors(household_form, error)
            else:
                messages.success(
                    request,
                    _("%(household)s registered with %(value)s member(s); case %(number)s opened.")
                    % {"household": case.household, "value": len(members), "number": case.number},
                )
                return redirect("clients:detail", pk=case.primary_client_id)
    return render(
        request,
        "casework/intake.html",
        {"household_form": household_form, "formset": formset, "duplicates": duplicates},
    )
