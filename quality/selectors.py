"""Reads of quality assurance: samples, a review, a case's findings, and the error rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Abs

from quality.models import Review, ReviewElement, Sample, SampledCase

ZERO = Decimal("0.00")


def samples(*, month: date | None = None) -> QuerySet[Sample]:
    qs = Sample.objects.select_related("program", "office", "drawn_by").annotate(
        reviewed=Count("cases__review", distinct=True)
    )
    return qs.filter(month=month) if month else qs


def sample_cases(*, sample: Sample) -> QuerySet[SampledCase]:
    return sample.cases.select_related("case__primary_client", "case__assigned_worker", "review__reviewer")


def review_detail_qs() -> QuerySet[Review]:
    return Review.objects.select_related(
        "sampled__case__primary_client",
        "sampled__sample__program",
        "sampled__sample__office",
        "checklist",
        "reviewer",
        "determination",
    ).prefetch_related("elements", "actions__owner")


def case_findings(*, case_id: int) -> QuerySet[Review]:
    """The completed reviews of a case, with their corrective actions: what the worker sees on the case."""
    return (
        Review.objects.filter(sampled__case_id=case_id, status=Review.Status.COMPLETED)
        .select_related("reviewer", "sampled__sample")
        .prefetch_related("actions__owner")
        .order_by("-completed_at")
    )


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ErrorRate:
    label: str
    reviews: int
    with_error: int
    issued: Decimal
    overpaid: Decimal
    underpaid: Decimal

    @property
    def payment_error_rate(self) -> Decimal | None:
        """(over- plus underpayments found) / total issued in the sample, in percent."""
        return _rate(self.overpaid + self.underpaid, self.issued)

    @property
    def case_error_rate(self) -> Decimal | None:
        return _rate(Decimal(self.with_error), Decimal(self.reviews))


BY = {
    "office": "sampled__sample__office__name",
    "program": "sampled__sample__program__name",
    "cause": "cause",
    "month": "sampled__sample__month",
}


def error_rates(*, by: str, start: date, end: date) -> tuple[ErrorRate, list[ErrorRate]]:
    """Completed reviews of samples from `start` to `end` (months), grouped `by` office, program,
    cause or month, and the total: one query.

    The payment error rate is the sum of the over- and underpayments found over the total issued
    to the sampled cases; each underpayment counts by its size (a federal payment error rate adds
    both: 7 CFR 275.23(b)).
    """
    field = BY[by]
    incorrect = ReviewElement.objects.filter(review=OuterRef("pk"), result=ReviewElement.Result.INCORRECT)
    rows = (
        Review.objects.filter(status=Review.Status.COMPLETED, sampled__sample__month__range=(start, end))
        .annotate(any_incorrect=Exists(incorrect))
        .values(field, "any_incorrect")
        .annotate(
            n=Count("id"),
            issued=Sum("issued_amount"),
            over=Sum("error_amount", filter=Q(error_amount__gt=0)),
            under=Sum(Abs("error_amount"), filter=Q(error_amount__lt=0)),
            erred=Count("id", filter=Q(error_amount__gt=0) | Q(error_amount__lt=0)),
        )
        .order_by(field)
    )
    groups: dict[str, ErrorRate] = {}
    total = ErrorRate("All reviews", 0, 0, ZERO, ZERO, ZERO)
    for row in rows:
        key = row[field]
        label = key.strftime("%Y-%m") if isinstance(key, date) else (key or "No error")
        group = groups.setdefault(label, ErrorRate(label, 0, 0, ZERO, ZERO, ZERO))
        with_error = row["n"] if row["any_incorrect"] else row["erred"]
        for target in (group, total):
            target.reviews += row["n"]
            target.with_error += with_error
            target.issued += row["issued"] or ZERO
            target.overpaid += row["over"] or ZERO
            target.underpaid += row["under"] or ZERO
    return total, list(groups.values())
