from django.urls import path

from eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("cases/<int:pk>/", views.case_eligibility, name="case_eligibility"),
    path("cases/<int:pk>/apply/", views.enrollment_apply, name="enrollment_apply"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/expedited/", views.snap_expedited_screen, name="snap_expedited_screen"),
    path("enrollments/<int:pk>/run/", views.determination_run, name="determination_run"),
    path("enrollments/<int:pk>/what-if/", views.enrollment_whatif, name="enrollment_whatif"),
    path("determinations/<int:pk>/", views.determination_detail, name="determination_detail"),
    path("determinations/<int:pk>/decide/", views.determination_finalise, name="determination_finalise"),
    path("determinations/<int:pk>/notice.pdf", views.determination_notice, name="determination_notice"),
]
