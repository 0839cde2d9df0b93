"""Reads for the eligibility pages, scoped by the access rule and shaped for fixed query counts."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Window
from django.shortcuts import get_object_or_404

from accounts.access import case_scope
from casework.models import Case
from eligibility.models import AdverseAction, Determination, Enrollment, ParameterValue, Program, Review


def programs_open() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("name")


def parameter_value_in_use(*, parameter: ParameterValue) -> bool:
    """Whether a decided determination used this version of the parameter (same name and effective date).

    Such a version is history: the decision rests on it, so it is superseded by a new version,
    never rewritten.
    """
    return (
        Determination.objects.filter(enrollment__program_id=parameter.program_id)
        .exclude(status=Determination.Status.DRAFT)
        .filter(**{f"parameters_used__{parameter.name}__effective_from": parameter.effective_from.isoformat()})
        .exists()
    )


def case_enrollments(*, case: Case) -> list[Enrollment]:
    """A case's enrollments (the case is already fetched through the access rule), each with its count of runs."""
    return list(
        Enrollment.objects.filter(case=case)
        .select_related("program")
        .annotate(determination_count=Count("determinations"))
        .order_by("-application_date", "-id")
    )


def enrollment_get(*, user, pk: int) -> Enrollment:
    """The enrollment if `user` may see its case, else 404."""
    return get_object_or_404(
        Enrollment.objects.filter(case_scope(user, prefix="case__")).select_related(
            "program",
            "case__primary_client",
            "case__household",
            "case__office",
            "case__assigned_worker",
        ),
        pk=pk,
    )


def enrollment_page(*, enrollment: Enrollment) -> dict:
    """What the enrollment page shows: its determinations (who ran and decided each) and its history."""
    return {
        "determinations": list(
            Determination.objects.filter(enrollment=enrollment)
            .select_related("run_by", "finalised_by")
            .defer("snapshot", "parameters_used")
            .order_by("-run_at", "-id")
        ),
        "status_changes": list(enrollment.status_changes.select_related("changed_by").order_by("-changed_at", "-id")),
    }


def determination_get(*, user, pk: int) -> Determination:
    """The determination if `user` may see its case, else 404."""
    return get_object_or_404(
        Determination.objects.filter(case_scope(user, prefix="enrollment__case__")).select_related(
            "run_by",
            "finalised_by",
            "enrollment__program",
            "enrollment__case__primary_client",
            "enrollment__case__household",
            "enrollment__case__office",
            "enrollment__case__assigned_worker",
        ),
        pk=pk,
    )


def reviews_due_enrollment_ids(*, run_on: date) -> list[int]:
    """Active enrollments whose review falls within their program's notice days and has no review yet."""
    opened = Review.objects.filter(enrollment=OuterRef("pk"), due_on=OuterRef("next_review_on"))
    ids: list[int] = []
    # One query per program: the window is the program's own notice days.
    for program in Program.objects.filter(enrollments__status=Enrollment.Status.ACTIVE).distinct():
        ids += (
            Enrollment.objects.filter(
                program=program,
                status=Enrollment.Status.ACTIVE,
                next_review_on__lte=run_on + timedelta(days=program.notice_days),
            )
            .exclude(Exists(opened))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return sorted(ids)


def reviews_overdue_enrollment_ids(*, run_on: date) -> list[int]:
    """Active enrollments with an open review past its due date and the program's grace days."""
    ids: set[int] = set()
    for program in Program.objects.filter(enrollments__reviews__status=Review.Status.OPEN).distinct():
        ids.update(
            Review.objects.filter(
                enrollment__program=program,
                enrollment__status=Enrollment.Status.ACTIVE,
                status=Review.Status.OPEN,
                due_on__lt=run_on - timedelta(days=program.grace_days),
            ).values_list("enrollment_id", flat=True)
        )
    return sorted(ids)


def redetermine_enrollment_ids(*, run_on: date) -> list[int]:
    """Active enrollments the nightly redetermination looks at (the snapshot comparison is per enrollment)."""
    return list(redetermine_candidates(run_on=run_on).order_by("pk").values_list("pk", flat=True))


def redetermine_candidates(*, run_on: date) -> QuerySet[Enrollment]:
    """Active enrollments with a decided determination and no newer draft waiting for a worker.

    Older drafts (runs superseded before a decision) stay drafts forever; only one newer than
    the last decision means somebody is already deciding on a change.
    """
    last_decided = (
        Determination.objects.filter(enrollment=OuterRef("pk"))
        .exclude(status=Determination.Status.DRAFT)
        .order_by("-run_at", "-id")
        .values("run_at")[:1]
    )
    waiting = Determination.objects.filter(
        enrollment=OuterRef("pk"), status=Determination.Status.DRAFT, run_at__gt=OuterRef("last_decided_at")
    )
    return (
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, program__is_active=True)
        .annotate(last_decided_at=Subquery(last_decided))
        .filter(last_decided_at__isnull=False)
        .exclude(Exists(waiting))
    )


# The home page's card ------------------------------------------------------------------------------

HOME_LIMIT = 10


@dataclass(frozen=True)
class HomeReviews:
    reviews: list[Review]  # open reviews on the worker's own cases, the soonest due first
    count: int


def home_reviews(*, user) -> HomeReviews:
    """The open periodic reviews of enrollments on the cases the user works: one query (a window
    counts them all while only the first few are read)."""
    reviews = list(
        Review.objects.filter(
            case_scope(user, prefix="enrollment__case__"),
            enrollment__case__assigned_worker=user,
            status=Review.Status.OPEN,
        )
        .select_related("enrollment__program", "enrollment__case__primary_client")
        .annotate(total=Window(Count("id")))
        .order_by("due_on", "id")[:HOME_LIMIT]
    )
    return HomeReviews(reviews=reviews, count=reviews[0].total if reviews else 0)


def amounts_in_force(*, enrollment_ids: list[int], period: date) -> dict[int, Decimal]:
    """The prior amount each enrollment is still paid for `period` under an adverse action, in one query.

    A reduction is not in force before its effective month (timely notice, 7 CFR 273.13(a)),
    nor while benefits continue pending a hearing (7 CFR 273.15(k)); the newest action decides.
    Enrollments absent from the answer are paid their current amount.
    """
    held = (
        AdverseAction.objects.filter(enrollment_id__in=enrollment_ids, kind=AdverseAction.Kind.REDUCTION)
        .filter(
            Q(effective_on__gt=period)
            | (Q(continued_from__isnull=False) & (Q(continued_until__isnull=True) | Q(continued_until__gte=period)))
        )
        .order_by("enrollment_id", "-created_at", "-id")
        .values_list("enrollment_id", "amount_before")
    )
    amounts: dict[int, Decimal] = {}
    for enrollment_id, amount in held:
        amounts.setdefault(enrollment_id, amount)
    return amounts
