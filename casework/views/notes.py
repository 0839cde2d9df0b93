from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.forms.notes import NoteAddendumForm, NoteForm, NoteSearchForm
from casework.selectors import cases as case_selectors
from casework.selectors import notes as selectors
from casework.services import notes as services
from casework.views.cases import case_page
from core.forms import add_service_errors

PAGE_SIZE = 50


def _to_note(case_pk: int, note_pk: int):
    return redirect(reverse("casework:case_notes", args=[case_pk]) + f"#note-{note_pk}")


@login_required
def case_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The notes of a case, newest contact first, or those matching a search."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    search_form = NoteSearchForm(request.GET or None)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    notes = selectors.note_list(user=request.user, case=case, query=query)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return case_page(
        request,
        case,
        "notes",
        "casework/notes.html",
        search_form=search_form,
        query=query,
        page=page,
        notes=selectors.note_rows(page.object_list),
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_write(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(kind)s note saved.") % {"kind": note.get_kind_display()})
            return _to_note(case.pk, note.pk)
    return case_page(request, case, "notes", "casework/notes_add.html", form=form)


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_note_addendum_add(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """Add an addendum under a note the user may read; a confidential note others may not read answers 404."""
    case = case_selectors.case_get(user=request.user, pk=case_pk)
    note = selectors.note_get(user=request.user, case=case, pk=pk)
    form = NoteAddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_addendum_add(acting_user=request.user, note=note, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Addendum added."))
            return _to_note(case.pk, note.pk)
    return case_page(
        request, case, "notes", "casework/notes_addendum.html", note=selectors.note_rows([note])[0], form=form
    )
