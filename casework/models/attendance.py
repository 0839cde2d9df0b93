from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledActivity(models.Model):
    """An activity a client is scheduled to attend (from their employment plan or not).

    Either a weekly activity, with its hours a week from `starts_on` to `ends_on`, or a session
    held on one day (a job club, a training day), with its hours that day (`session_hours`).
    """

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="scheduled_activities")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="scheduled_activities")
    work_activity = models.ForeignKey(
        "casework.WorkActivity", on_delete=models.PROTECT, null=True, blank=True, related_name="schedules"
    )
    name = models.CharField(max_length=160)
    weekly_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    session_hours = models.DecimalField(
        max_digits=4, decimal_places=2, null=True, blank=True, help_text=_("The hours of a one-day session.")
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(weekly_hours__gt=Decimal("0"), weekly_hours__lte=Decimal("80"), session_hours__isnull=True)
                    | Q(
                        session_hours__gt=Decimal("0"),
                        session_hours__lte=Decimal("24"),
                        weekly_hours__isnull=True,
                        ends_on=F("starts_on"),
                    )
                ),
                name="scheduled_activity_weekly_or_one_day",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="scheduled_activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        if self.is_session:
            return f"{self.name} ({self.session_hours} h on {self.starts_on:%Y-%m-%d})"
        return f"{self.name} ({self.weekly_hours} h/week)"

    @property
    def is_session(self) -> bool:
        return self.session_hours is not None

    def runs_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class AttendanceEntry(models.Model):
    """Hours scheduled and attended on one day of one activity."""

    activity = models.ForeignKey(ScheduledActivity, on_delete=models.PROTECT, related_name="entries")
    day = models.DateField()
    hours_scheduled = models.DecimalField(max_digits=4, decimal_places=2)
    hours_attended = models.DecimalField(max_digits=4, decimal_places=2)
    excused = models.BooleanField(default=False, help_text=_("An excused absence for the hours not attended."))
    good_cause = models.CharField(max_length=200, blank=True, help_text=_("Why the client could not attend."))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "day"], name="attendance_one_entry_per_day"),
            models.CheckConstraint(
                condition=Q(hours_scheduled__gte=0, hours_scheduled__lte=24), name="attendance_scheduled_in_day"
            ),
            models.CheckConstraint(
                condition=Q(hours_attended__gte=0, hours_attended__lte=24), name="attendance_attended_in_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} on {self.day}: {self.hours_attended}/{self.hours_scheduled} h"
