"""What was sent about a case, and a letter or memo a worker writes on it (correspondence/ sends it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from clients.selectors import household_current_members
from core.forms import add_service_errors
from correspondence import letters, selectors, services
from correspondence import templates_registry as registry
from correspondence.forms import LetterForm

LIST_LIMIT = 200


@login_required
def case_correspondence(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    items = list(selectors.correspondence_for_case(request.user, case)[:LIST_LIMIT])
    return case_page(request, case, "correspondence", "casework/case_correspondence.html", items=items)


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_letter_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Start from a template, edit, preview, send: the letter goes as the worker wrote it."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    members = {m.client_id: m.client for m in household_current_members(user=request.user, household=case.household)}
    templates = [(d.code, str(d.label)) for d in registry.registered() if d.worker_may_draft]
    choices = {"templates": templates, "recipients": [(i, c.full_name) for i, c in members.items()]}
    preview = None
    if request.method == "POST":
        form = LetterForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            client = members[data["recipient"]]
            try:
                if "send" in request.POST:
                    item = services.correspondence_send_written(
                        client=client, case=case, template=data["template"], subject=data["subject"],
                        body=data["body"], sent_by=request.user, channel=data["channel"] or None,
                        language=data["language"] or None,
                    )  # fmt: skip
                    messages.success(
                        request, f"“{item.subject}” is on its way by {item.get_channel_display().lower()}."
                    )
                    return redirect("casework:case_correspondence", pk=case.pk)
                if "start" in request.POST or not data["body"]:
                    subject, body, language = services.letter_draft(
                        client=client, case=case, template=data["template"], sent_by=request.user,
                        language=data["language"] or None,
                    )  # fmt: skip
                    form = LetterForm(
                        initial={**data, "subject": subject, "body": body, "language": language}, **choices
                    )
                else:
                    # Which channel and address it would use, refused here as it would be on sending.
                    preference = services.contact_preference_of(client)
                    channel = services.channel_choose(client, preference, data["channel"] or None)
                    preview = {
                        **data,
                        "channel": channel,
                        "address": services.channel_address(client, preference, channel),
                    }
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
    else:
        form = LetterForm(initial={"template": letters.FREE_LETTER, "recipient": case.primary_client_id}, **choices)
    return case_page(
        request, case, "correspondence", "casework/case_letter_write.html",
        status=400 if form.errors else 200, form=form, preview=preview,
    )  # fmt: skip
