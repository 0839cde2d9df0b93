from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.forms import AuditFilterForm
from audit.selectors import audit_events, chain_anchors_latest
from core.replica import replica_reads

PAGE_SIZE = 50


@replica_reads
@login_required
@permission_required("audit.read_trail", raise_exception=True)
def trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "client_id": data["client"],
            "actor_id": data["actor"].pk if data["actor"] else None,
            "action": data["action"],
            "since": data["since"],
            "until": data["until"],
        }
    events = audit_events(**filters).prefetch_related("subjects")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/trail.html", {"form": form, "page": page, "query": query.urlencode()})


@replica_reads
@login_required
@permission_required("audit.read_trail", raise_exception=True)
def anchors(request: HttpRequest) -> HttpResponse:
    """The latest anchors of the hash chains: in the trail's page (htmx), or a page of their own."""
    template = "audit/_anchors.html" if request.htmx else "audit/anchors.html"
    return render(request, template, {"anchors": chain_anchors_latest()})
