from django.urls import path

from casework.views import cases, intake

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
    # Case notes
    # Tasks
    # Plans
    # Attendance
    # Inquiries
]
