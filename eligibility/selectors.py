"""Reads for the eligibility pages, scoped by the access rule and shaped for fixed query counts."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import case_scope
from casework.models import Case
from eligibility.models import Determination, Enrollment, Program


def programs_open() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("name")


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
