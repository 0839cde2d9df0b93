from casework.models.appointments import Appointment, AppointmentParticipant, AppointmentStatusChange, CalendarFeed
from casework.models.attendance import AttendanceEntry, ScheduledActivity
from casework.models.cases import Case, CaseAssignment, CaseNumberSequence, CaseStatusChange
from casework.models.inquiries import Inquiry
from casework.models.notes import CaseNote, NoteAddendum
from casework.models.plans import Goal, Plan, PlanStep, ProgressNote, SupportiveService, WorkActivity
from casework.models.tasks import Task
from casework.models.transfers import OfficeTransfer

__all__ = [
    "Appointment",
    "AppointmentParticipant",
    "AppointmentStatusChange",
    "AttendanceEntry",
    "CalendarFeed",
    "Case",
    "CaseAssignment",
    "CaseNote",
    "CaseNumberSequence",
    "CaseStatusChange",
    "Goal",
    "Inquiry",
    "NoteAddendum",
    "OfficeTransfer",
    "Plan",
    "PlanStep",
    "ProgressNote",
    "ScheduledActivity",
    "SupportiveService",
    "Task",
    "WorkActivity",
]
