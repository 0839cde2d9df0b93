from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.selectors import audit_events_for_client
from clients import facts, selectors, services
from clients.forms import (
    FINANCE_FORMS,
    BreakGlassForm,
    ClientForm,
    ClientSearchForm,
    ConsentForm,
    ConsentRevokeForm,
    DocumentForm,
    MembershipEndForm,
    MergeForm,
    PersonFactEndForm,
    PersonFactForm,
    PersonFactVerifyForm,
)
from clients.models import Client
from clients.services import ClientInput
from core.forms import add_service_errors

PAGE_SIZE = 25


def _tab(request: HttpRequest, client: Client, tab: str, template: str, **context) -> HttpResponse:
    services.client_view_record(acting_user=request.user, client=client, page=tab)
    return render(request, template, {"client": client, "tab": tab, **context})


# Lists and search -----------------------------------------------------------------------


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET or None)
    criteria = selectors.ClientSearch()
    if form.is_valid():
        data = form.cleaned_data
        criteria = selectors.ClientSearch(
            name=data["q"], date_of_birth=data["dob"], last4=data["last4"], phone=data["phone"]
        )
    if criteria.is_empty:
        after = request.GET.get("after", "")
        page = selectors.client_page(user=request.user, after=int(after) if after.isdigit() else None, size=PAGE_SIZE)
        shown = page.clients
    else:
        page = None
        shown = selectors.client_search(user=request.user, criteria=criteria)
    services.client_search_record(
        acting_user=request.user,
        criteria=form.cleaned_data if form.is_bound and form.is_valid() else {},
        client_ids=[c.pk for c in shown],
    )
    return render(
        request,
        "clients/client_list.html",
        {"form": form, "clients": shown, "page": page, "searching": not criteria.is_empty},
    )


# One client's file ----------------------------------------------------------------------


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_including_merged(user=request.user, pk=pk)
    if client.is_merged:
        messages.info(request, f"Client {pk} was merged into client {client.merged_into_id}.")
        return redirect("clients:detail", pk=client.merged_into_id)
    # A client found here and not merged is one `client_get` gives: the access rule is the same.
    return _tab(request, client, "overview", "clients/client_detail.html", **_facts_context(request, client))


def _facts_context(request: HttpRequest, client: Client, form: PersonFactForm | None = None) -> dict:
    """The client's facts; the forms to add, end and verify them only for those who may edit the client."""
    may_edit = request.user.has_perm("clients.edit_client")
    return {
        "facts": selectors.client_facts(client=client),
        "fact_form": (form or PersonFactForm(client=client)) if may_edit else None,
        "fact_end_form": PersonFactEndForm() if may_edit else None,
        "fact_verify_form": PersonFactVerifyForm() if request.user.has_perm("clients.verify_document") else None,
    }


@login_required
@require_POST
def client_reveal_identifier(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    revealed = services.client_identifier_reveal(acting_user=request.user, client=client)
    if request.htmx:
        return render(request, "clients/_identifier.html", {"client": client, "revealed": revealed})
    return _tab(
        request, client, "overview", "clients/client_detail.html", revealed=revealed, **_facts_context(request, client)
    )


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def person_fact_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = PersonFactForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            facts.person_fact_record(acting_user=request.user, client=client, **form.to_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Fact recorded.")
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/person_fact_form.html", {"client": client, "form": form, "tab": "overview"})


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def person_fact_end(request: HttpRequest, pk: int) -> HttpResponse:
    fact = selectors.person_fact_get(user=request.user, pk=pk)
    form = PersonFactEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facts.person_fact_end(acting_user=request.user, fact=fact, end_date=form.cleaned_data["end_date"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{fact.get_kind_display()} ended.")
            return redirect("clients:detail", pk=fact.client_id)
    return render(
        request,
        "clients/person_fact_end.html",
        {"client": fact.client, "fact": fact, "form": form, "tab": "overview"},
    )


@login_required
@require_POST
@permission_required("clients.verify_document", raise_exception=True)
def person_fact_verify(request: HttpRequest, pk: int) -> HttpResponse:
    fact = selectors.person_fact_get(user=request.user, pk=pk)
    form = PersonFactVerifyForm(request.POST)
    if form.is_valid():
        fact = facts.person_fact_verify(
            acting_user=request.user, fact=fact, verification=form.cleaned_data["verification"]
        )
        messages.success(request, f"{fact.get_kind_display()}: {fact.get_verification_display().lower()}.")
    else:
        messages.error(request, "Choose a verification status.")
    return redirect("clients:detail", pk=fact.client_id)


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(acting_user=request.user, client=client, data=ClientInput.from_data(form.to_input()))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Client details saved.")
            return redirect("clients:detail", pk=client.pk)
    # The form edits a copy; show the saved name in the header, not the half-typed one.
    client.refresh_from_db()
    if request.method == "GET":
        services.client_view_record(acting_user=request.user, client=client, page="edit")
    return render(request, "clients/client_form.html", {"client": client, "form": form, "tab": "overview"})


@login_required
def client_household(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    memberships = selectors.client_households(user=request.user, client=client)
    return _tab(request, client, "household", "clients/client_household.html", memberships=memberships)


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, pk=pk)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_end(
                acting_user=request.user, membership=membership, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{membership.client} has left {membership.household}.")
            return redirect("clients:household", pk=membership.client_id)
    return render(
        request,
        "clients/membership_end.html",
        {"client": membership.client, "membership": membership, "form": form, "tab": "household"},
    )


@login_required
def client_finances(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    return _tab(request, client, "finances", "clients/client_finances.html", **selectors.client_finances(client=client))


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def finance_edit(request: HttpRequest, kind: str, pk: int | None = None, client_pk: int | None = None) -> HttpResponse:
    if kind not in FINANCE_FORMS:
        raise Http404
    model, form_class = FINANCE_FORMS[kind]
    if pk is None:
        client = selectors.client_get(user=request.user, pk=client_pk)
        record = model(client=client)
    else:
        record = selectors.finance_record_get(user=request.user, model=model, pk=pk)
        client = record.client
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.finance_record_save(acting_user=request.user, record=record, values=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{model._meta.verbose_name.capitalize()} saved.")
            return redirect("clients:finances", pk=client.pk)
    return render(
        request,
        "clients/finance_form.html",
        {"client": client, "form": form, "kind": model._meta.verbose_name, "adding": pk is None, "tab": "finances"},
    )


@login_required
def client_documents(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = DocumentForm()
    return _tab(
        request,
        client,
        "documents",
        "clients/client_documents.html",
        documents=selectors.client_documents(client=client),
        form=form,
    )


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_upload(
                acting_user=request.user,
                client=client,
                kind=data["kind"],
                upload=data["file"],
                description=data["description"],
                expires_on=data["expires_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Document added to the file.")
            return redirect("clients:documents", pk=client.pk)
    return render(request, "clients/document_form.html", {"client": client, "form": form, "tab": "documents"})


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = selectors.document_get(user=request.user, pk=pk)
    services.document_download_record(acting_user=request.user, document=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@permission_required("clients.verify_document", raise_exception=True)
def document_verify(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk)
    try:
        services.document_verify(acting_user=request.user, document=document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Document marked as verified.")
    return redirect("clients:documents", pk=document.client_id)


@login_required
def client_consents(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    return _tab(
        request, client, "consent", "clients/client_consents.html", consents=selectors.client_consents(client=client)
    )


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(acting_user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("clients:consents", pk=client.pk)
    return render(request, "clients/consent_form.html", {"client": client, "form": form, "tab": "consent"})


@login_required
@permission_required("clients.edit_client", raise_exception=True)
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    consent = selectors.consent_get(user=request.user, pk=pk)
    form = ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revoke(
                acting_user=request.user, consent=consent, revoked_on=form.cleaned_data["revoked_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Consent revoked.")
            return redirect("clients:consents", pk=consent.client_id)
    return render(
        request,
        "clients/consent_revoke.html",
        {"client": consent.client, "consent": consent, "form": form, "tab": "consent"},
    )


@login_required
def client_history(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    events = list(audit_events_for_client(client_id=client.pk))
    return _tab(request, client, "history", "clients/client_history.html", events=events)


# Supervisor and admin actions -----------------------------------------------------------


@login_required
@permission_required("clients.merge_clients", raise_exception=True)
def client_merge(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = selectors.client_get(user=request.user, pk=pk)
    form = MergeForm(request.POST or request.GET or None)
    duplicate = None
    if form.is_bound and form.is_valid():
        duplicate = selectors.clients_visible(user=request.user).filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", "No client with that number is available to you.")
        elif request.method == "POST" and request.POST.get("confirm"):
            try:
                services.client_merge(
                    acting_user=request.user, survivor=survivor, duplicate=duplicate, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Client {duplicate.pk} merged into this record.")
                return redirect("clients:detail", pk=survivor.pk)
    return render(
        request,
        "clients/client_merge.html",
        {"client": survivor, "form": form, "duplicate": duplicate, "tab": "overview"},
    )


@login_required
@permission_required("clients.break_glass", raise_exception=True)
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = Client.objects.filter(pk=form.cleaned_data["client_number"], merged_into__isnull=True).first()
        if client is None:
            form.add_error("client_number", "There is no client with that number.")
        else:
            try:
                services.break_glass_open(acting_user=request.user, client=client, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.warning(request, "Break-glass access granted and recorded. It expires in a few hours.")
                return redirect(reverse("clients:detail", args=[client.pk]))
    return render(request, "clients/break_glass.html", {"form": form})
