from django.urls import path

from casework.views import appointments as appointment_views
from casework.views import attendance as attendance_views
from casework.views import cases, inquiries, intake, tasks, transfers
from casework.views import correspondence as correspondence_views
from casework.views import notes as note_views
from casework.views import plans as plan_views

app_name = "casework"

urlpatterns = [
    # Intake and cases
    path("intake/", intake.intake, name="intake"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/transfer/", cases.case_transfer, name="case_transfer"),
    path("cases/open/<int:client_pk>/", cases.case_open, name="case_open"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", cases.case_transition, name="case_transition"),
    path("cases/<int:pk>/restriction/", cases.case_restrict, name="case_restrict"),
    path("cases/<int:pk>/correspondence/", correspondence_views.case_correspondence, name="case_correspondence"),
    path("cases/<int:pk>/correspondence/write/", correspondence_views.case_letter_write, name="case_letter_write"),
    # Transfers between offices
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/new/<int:client_pk>/", transfers.transfer_request, name="transfer_request"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", transfers.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", transfers.transfer_decline, name="transfer_decline"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    # Case notes
    path("cases/<int:pk>/notes/", note_views.case_notes, name="case_notes"),
    path("cases/<int:pk>/notes/add/", note_views.case_note_add, name="case_note_add"),
    path(
        "cases/<int:case_pk>/notes/<int:pk>/addendum/", note_views.case_note_addendum_add, name="case_note_addendum_add"
    ),
    # Tasks
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/<int:pk>/complete/", tasks.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", tasks.task_cancel, name="task_cancel"),
    path("cases/<int:pk>/tasks/", tasks.case_tasks, name="case_tasks"),
    path("cases/<int:pk>/tasks/add/", tasks.task_add, name="task_add"),
    # Appointments and the calendar
    path("cases/<int:pk>/appointments/", appointment_views.case_appointments, name="case_appointments"),
    path("cases/<int:pk>/appointments/book/", appointment_views.appointment_book, name="appointment_book"),
    path("appointments/<int:pk>/", appointment_views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/mark/", appointment_views.appointment_mark, name="appointment_mark"),
    path("appointments/<int:pk>/reschedule/", appointment_views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/actions/", appointment_views.appointment_action_add, name="appointment_action_add"),
    path("calendar/", appointment_views.calendar, name="calendar"),
    path("calendar/team/", appointment_views.team_calendar, name="team_calendar"),
    path("calendar/subscribe/", appointment_views.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/feed/<str:token>.ics", appointment_views.calendar_feed, name="calendar_feed"),
    path("on-call/", appointment_views.on_call_roster, name="on_call_roster"),
    path("on-call/<int:pk>/cancel/", appointment_views.on_call_cancel, name="on_call_cancel"),
    # Plans
    path("cases/<int:pk>/plans/", plan_views.case_plans, name="case_plans"),
    path("cases/<int:pk>/plans/new/", plan_views.plan_create, name="plan_create"),
    path("cases/<int:pk>/plans/<int:plan_pk>/", plan_views.plan_detail, name="plan_detail"),
    path("cases/<int:pk>/plans/<int:plan_pk>/print/", plan_views.plan_print, name="plan_print"),
    path("cases/<int:pk>/plans/<int:plan_pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plans/<int:plan_pk>/agree/", plan_views.plan_agree, name="plan_agree"),
    path("cases/<int:pk>/plans/<int:plan_pk>/revise/", plan_views.plan_revise, name="plan_revise"),
    path("cases/<int:pk>/plans/<int:plan_pk>/goals/add/", plan_views.plan_goal_add, name="plan_goal_add"),
    path("cases/<int:pk>/plans/<int:plan_pk>/goals/<int:goal_pk>/", plan_views.plan_goal_edit, name="plan_goal_edit"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/goals/<int:goal_pk>/remove/",
        plan_views.plan_goal_remove,
        name="plan_goal_remove",
    ),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/goals/<int:goal_pk>/steps/add/",
        plan_views.plan_step_add,
        name="plan_step_add",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/steps/<int:step_pk>/", plan_views.plan_step_edit, name="plan_step_edit"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/steps/<int:step_pk>/remove/",
        plan_views.plan_step_remove,
        name="plan_step_remove",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/activities/add/", plan_views.plan_activity_add, name="plan_activity_add"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/activities/<int:activity_pk>/remove/",
        plan_views.plan_activity_remove,
        name="plan_activity_remove",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/services/add/", plan_views.plan_service_add, name="plan_service_add"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/services/<int:service_pk>/remove/",
        plan_views.plan_service_remove,
        name="plan_service_remove",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/notes/add/", plan_views.plan_note_add, name="plan_note_add"),
    # Attendance
    path("cases/<int:pk>/attendance/", attendance_views.case_attendance, name="case_attendance"),
    path(
        "cases/<int:pk>/attendance/activities/add/",
        attendance_views.attendance_activity_add,
        name="attendance_activity_add",
    ),
    path(
        "cases/<int:pk>/attendance/activities/<int:activity_pk>/end/",
        attendance_views.attendance_activity_end,
        name="attendance_activity_end",
    ),
    path(
        "cases/<int:pk>/attendance/clients/<int:client_pk>/week/",
        attendance_views.attendance_week,
        name="attendance_week",
    ),
    # Inquiries
    path("inquiries/", inquiries.inquiry_list, name="inquiry_list"),
    path("inquiries/new/", inquiries.inquiry_add, name="inquiry_add"),
    path("inquiries/figures/", inquiries.inquiry_statistics, name="inquiry_statistics"),
    path("inquiries/<int:pk>/", inquiries.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/respond/", inquiries.inquiry_respond, name="inquiry_respond"),
    path("inquiries/<int:pk>/close/", inquiries.inquiry_close, name="inquiry_close"),
]
