"""Quality reviews: the month's samples, a review element by element, a case's findings, error rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import may_read_dashboards, may_review_quality
from accounts.models import User
from audit.services import audit_page_read
from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from clients.models import Asset, Client
from core.charts import bar_chart
from core.dates import parse_iso_date, parse_month
from core.money import MoneyError, parse_money
from core.replica import replica_reads
from eligibility.services import WhatIf
from quality import selectors, services
from quality.models import CorrectiveAction, ReviewElement, Sample, SampledCase


def _reviewer(request: HttpRequest) -> None:
    if not may_review_quality(request.user):
        raise PermissionDenied(_("Quality reviews are for quality reviewers."))


@login_required
def sample_list(request: HttpRequest) -> HttpResponse:
    """The month's samples; a reviewer draws those not yet drawn (size a parameter, seed recorded)."""
    _reviewer(request)
    month = parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    errors = []
    if request.method == "POST":
        month = parse_month(request.POST.get("month")) or month
        size = request.POST.get("size", "")
        if not size.isdigit() or not 1 <= int(size) <= 500:
            errors.append("The sample size is a whole number from 1 to 500 cases per program and office.")
        else:
            try:
                made = services.samples_draw_month(acting_user=request.user, month=month, size=int(size))
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s sample drawn for %(month)s.", "%(count)s samples drawn for %(month)s.", len(made)
                    )
                    % {"count": len(made), "month": date_format(month, "F Y")},
                )
                return redirect(f"{request.path}?month={month:%Y-%m}")
    return render(
        request,
        "quality/sample_list.html",
        {
            "samples": selectors.samples(month=month),
            "month": month,
            "errors": errors,
            "size": request.POST.get("size", "10"),
        },
        status=400 if errors else 200,
    )


@login_required
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    sample = get_object_or_404(Sample.objects.select_related("program", "office"), pk=pk)
    cases = list(selectors.sample_cases(sample=sample))
    audit_page_read(
        actor=request.user, page=f"quality sample {sample}", client_ids=[s.case.primary_client_id for s in cases]
    )
    return render(request, "quality/sample_detail.html", {"sample": sample, "cases": cases})


@require_POST
@login_required
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    sampled = get_object_or_404(SampledCase, pk=pk)
    try:
        review = services.review_start(acting_user=request.user, sampled=sampled)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
        return redirect("quality:sample_detail", sampled.sample_id)
    return redirect("quality:review_detail", review.pk)


#: Blank rows the recompute form offers for members and resources the record missed.
ADD_ROWS = 2


def _typed(typed: Mapping[str, str], prefix: str) -> dict[str, str]:
    """What was typed in the fields named `prefix...`, by the rest of their name."""
    return {key[len(prefix) :]: value for key, value in typed.items() if key.startswith(prefix)}


def _member_rows(snapshot: Mapping, typed: Mapping[str, str]) -> list[dict]:
    """The recorded members with their names (one query) and what the reviewer typed for each."""
    members = snapshot.get("members", [])
    ids = [int(m["id"]) for m in members if str(m["id"]).isdigit()]
    names = (
        {
            str(pk): f"{first} {last}"
            for pk, first, last in Client.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name")
        }
        if ids
        else {}
    )
    return [
        {"member": m, "name": names.get(str(m["id"]), m["id"]), "typed": _typed(typed, f"member-{m['id']}-")}
        for m in members
    ]


def _corrections(facts: Mapping) -> list[str]:
    """One line per fact the re-run corrected, for the finding."""
    lines = [_("Income %(n)s: %(amount)s") % {"n": n, "amount": a} for n, a in facts.get("incomes", {}).items()]
    lines += [_("Expense %(n)s: %(amount)s") % {"n": n, "amount": a} for n, a in facts.get("expenses", {}).items()]
    lines += [_("Member %(id)s: not in the household") % {"id": m} for m in facts.get("members_removed", [])]
    lines += [
        _("Member %(id)s: %(facts)s") % {"id": m, "facts": ", ".join(f"{k} {v}" for k, v in values.items())}
        for m, values in facts.get("members", {}).items()
    ]
    lines += [
        _("Member added: %(facts)s") % {"facts": ", ".join(f"{k} {v}" for k, v in values.items())}
        for values in facts.get("members_added", [])
    ]
    lines += [
        _("Resource %(n)s: %(facts)s") % {"n": n, "facts": ", ".join(f"{k} {v}" for k, v in values.items())}
        for n, values in facts.get("assets", {}).items()
    ]
    lines += [_("Resource %(n)s: not held") % {"n": n} for n in facts.get("assets_removed", [])]
    lines += [
        _("Resource added: %(kind)s %(value)s") % {"kind": a.get("kind"), "value": a.get("value")}
        for a in facts.get("assets_added", [])
    ]
    return lines


def _review_page(
    request: HttpRequest, review, errors: list[str], status: int = 200, typed: Mapping[str, str] | None = None
) -> HttpResponse:
    typed = typed or {}
    determination = review.determination
    snapshot = determination.snapshot if determination else {}
    audit_page_read(
        actor=request.user, page=f"quality review {review.pk}", client_ids=[review.sampled.case.primary_client_id]
    )
    return render(
        request,
        "quality/review_detail.html",
        {
            "review": review,
            "elements": list(review.elements.all()),  # prefetched (selectors.review_detail_qs)
            "results": ReviewElement.Result.choices[1:],
            "incomes": [(i, item, typed.get(f"income-{i}", "")) for i, item in enumerate(snapshot.get("incomes", []))],
            "expenses": [
                (i, item, typed.get(f"expense-{i}", "")) for i, item in enumerate(snapshot.get("expenses", []))
            ],
            "members": _member_rows(snapshot, typed),
            "assets": [(n, a, _typed(typed, f"asset-{n}-")) for n, a in enumerate(snapshot.get("assets", []))],
            "added_members": [_typed(typed, f"add-member-{n}-") | {"n": str(n)} for n in range(1, ADD_ROWS + 1)],
            "added_assets": [_typed(typed, f"add-asset-{n}-") | {"n": str(n)} for n in range(1, ADD_ROWS + 1)],
            "asset_kinds": Asset.Kind.choices,
            "corrections": _corrections(review.verified_facts or {}),
            "errors": errors,
            "owners": User.objects.filter(is_active=True, office=review.sampled.sample.office).order_by("last_name"),
            "responsibilities": [("agency", "Agency error"), ("client", "Client error")],
        },
        status=status,
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    review = get_object_or_404(selectors.review_detail_qs(), pk=pk)
    return _review_page(request, review, [])


@require_POST
@login_required
def review_update(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One of the review's forms: the elements, the re-computation, completion, or an action."""
    _reviewer(request)
    review = get_object_or_404(selectors.review_detail_qs(), pk=pk)
    post = request.POST
    try:
        if step == "elements":
            results = {
                e.code: (
                    post.get(f"result-{e.code}", ""),
                    post.get(f"value-{e.code}", ""),
                    post.get(f"note-{e.code}", ""),
                )
                for e in review.elements.all()
                if post.get(f"result-{e.code}")
            }
            services.review_elements_record(acting_user=request.user, review=review, results=results)
        elif step == "recompute":
            change = WhatIf(
                income_amounts=_amounts(post, "income"),
                expense_amounts=_amounts(post, "expense"),
                **_household_corrections(post, review.determination.snapshot if review.determination else {}),
            )
            services.review_recompute(acting_user=request.user, review=review, change=change)
        elif step == "complete":
            services.review_complete(
                acting_user=request.user,
                review=review,
                cause=post.get("cause", ""),
                responsibility=post.get("responsibility", ""),
                summary=post.get("summary", ""),
            )
        elif step == "action":
            owner = User.objects.filter(pk=post.get("owner") or 0, is_active=True).first()
            due = parse_iso_date(post.get("due_on"))
            if owner is None or due is None:
                raise ValidationError(_("Choose who owns the action and its due date (YYYY-MM-DD)."))
            services.corrective_action_add(
                acting_user=request.user,
                review=review,
                description=post.get("description", ""),
                owner=owner,
                due_on=due,
            )
        else:
            raise ValidationError(_("Nothing to do."))
    except (ValidationError, MoneyError) as error:
        review.refresh_from_db()
        typed = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"} if step == "recompute" else {}
        return _review_page(request, review, list(getattr(error, "messages", [str(error)])), status=400, typed=typed)
    messages.success(request, _("Saved."))
    return redirect("quality:review_detail", review.pk)


def _amounts(post, kind: str) -> dict[int, Decimal]:
    """The verified amounts typed, by the fact's place in the recorded household; blanks left as recorded."""
    amounts = {}
    for key, value in post.items():
        if key.startswith(f"{kind}-") and value.strip():
            try:
                amounts[int(key.split("-", 1)[1])] = parse_money(value)
            except MoneyError as error:
                raise ValidationError(f"{kind.capitalize()} {key.split('-', 1)[1]}: {error}") from None
    return amounts


def _flag(value: str, what: str) -> bool | None:
    """A yes/no correction: None when left as recorded."""
    if value in ("", None):
        return None
    if value not in ("yes", "no"):
        raise ValidationError(_("%(what)s: choose yes or no.") % {"what": what})
    return value == "yes"


def _birth(value: str, what: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    born = parse_iso_date(value)
    if born is None or born > timezone.localdate():
        raise ValidationError(_("%(what)s: the date of birth is a past date (YYYY-MM-DD).") % {"what": what})
    return born


def _person(post, prefix: str, what: str) -> dict:
    """What the reviewer verified of a person: the date of birth and the yes/no facts the rules read."""
    facts: dict = {}
    born = _birth(post.get(f"{prefix}date_of_birth", ""), what)
    if born is not None:
        facts["date_of_birth"] = born
    for name, label in (("disabled", _("disabled")), ("blind", _("blind")), ("student", _("student"))):
        flag = _flag(post.get(f"{prefix}{name}", ""), f"{what}, {label}")
        if flag is not None:
            facts[name] = flag
    return facts


def _household_corrections(post, snapshot: Mapping) -> dict:
    """The members and resources the reviewer corrected, as `WhatIf` takes them."""
    removed, facts = [], {}
    for m in snapshot.get("members", []):
        prefix, what = f"member-{m['id']}-", _("Member %(id)s") % {"id": m["id"]}
        if post.get(f"{prefix}remove"):
            removed.append(str(m["id"]))
        elif person := _person(post, prefix, what):
            facts[str(m["id"])] = person
    added = []
    for n in range(1, ADD_ROWS + 1):
        prefix, what = f"add-member-{n}-", _("Added member %(n)s") % {"n": n}
        person = _person(post, prefix, what)
        if person:
            if "date_of_birth" not in person:
                raise ValidationError(_("%(what)s: give the date of birth.") % {"what": what})
            added.append(person)
    values, kinds, dropped = {}, {}, []
    kind_names = set(Asset.Kind.values)
    for n, _asset in enumerate(snapshot.get("assets", [])):
        prefix, what = f"asset-{n}-", _("Resource %(n)s") % {"n": n}
        if post.get(f"{prefix}remove"):
            dropped.append(n)
            continue
        if post.get(f"{prefix}value", "").strip():
            values[n] = _money(post[f"{prefix}value"], what)
        if kind := post.get(f"{prefix}kind", ""):
            if kind not in kind_names:
                raise ValidationError(_("%(what)s: choose a kind of resource.") % {"what": what})
            kinds[n] = kind
    new_assets = []
    for n in range(1, ADD_ROWS + 1):
        prefix, what = f"add-asset-{n}-", _("Added resource %(n)s") % {"n": n}
        kind, value = post.get(f"{prefix}kind", ""), post.get(f"{prefix}value", "").strip()
        if not kind and not value:
            continue
        if kind not in kind_names or not value:
            raise ValidationError(_("%(what)s: give its kind and value.") % {"what": what})
        owner = post.get(f"{prefix}member_id", "") or None  # snapshot_change refuses a stranger
        new_assets.append({"kind": kind, "value": _money(value, what), "member_id": owner})
    return {
        "leave_out": frozenset(removed),
        "member_facts": facts,
        "add_members": tuple(added),
        "asset_values": values,
        "asset_kinds": kinds,
        "drop_assets": frozenset(dropped),
        "add_assets": tuple(new_assets),
    }


def _money(value: str, what: str) -> Decimal:
    try:
        return parse_money(value)
    except MoneyError as error:
        raise ValidationError(f"{what}: {error}") from None


@require_POST
@login_required
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CorrectiveAction.objects.select_related("review__sampled"), pk=pk)
    try:
        services.corrective_action_transition(acting_user=request.user, action=action, to=CorrectiveAction.Status.DONE)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        messages.success(request, _("The corrective action is marked done."))
    return redirect("quality:case_findings", action.review.sampled.case_id)


@login_required
def case_findings(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's tab of quality findings: the worker sees what the reviewers found, and the actions."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case_page(
        request, case, "quality", "quality/case_findings.html", reviews=list(selectors.case_findings(case_id=case.pk))
    )


@replica_reads
@login_required
def error_rates(request: HttpRequest) -> HttpResponse:
    """Payment and case error rates by office, program, cause or month, with charts and tables."""
    if not (may_review_quality(request.user) or may_read_dashboards(request.user)):
        raise PermissionDenied(_("Error rates are for reviewers, supervisors, administrators and auditors."))
    today = timezone.localdate()
    end = parse_month(request.GET.get("end")) or today.replace(day=1)
    start = parse_month(request.GET.get("start")) or date(end.year - 1, end.month, 1)
    by = request.GET.get("by", "office")
    if by not in selectors.BY:
        by = "office"
    errors = ["The range starts after it ends; the twelve months to its end are shown."] if start > end else []
    if errors:
        start = date(end.year - 1, end.month, 1)
    total, groups = selectors.error_rates(by=by, start=start, end=end)
    summary = _("%(reviews)s completed reviews; payment error rate %(payment)s%%, case error rate %(case)s%%.") % {
        "reviews": total.reviews,
        "payment": total.payment_error_rate if total.payment_error_rate is not None else "—",
        "case": total.case_error_rate if total.case_error_rate is not None else "—",
    }
    chart = bar_chart(
        chart_id="chart-payment-error-rate",
        title=_("Payment error rate by %(by)s") % {"by": by},
        desc=summary,
        bars=[(g.label, g.payment_error_rate or 0) for g in groups],
    )
    return render(
        request,
        "quality/error_rates.html",
        {
            "total": total,
            "groups": groups,
            "by": by,
            "bys": list(selectors.BY),
            "start": start,
            "end": end,
            "summary": summary,
            "chart": chart,
            "errors": errors,
        },
    )
