from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("monthly/", views.monthly_reports, name="monthly_reports"),
    path("monthly/<str:month>/", views.monthly_report, name="monthly_report"),
    path("monthly/<str:month>/<str:fmt>/", views.monthly_report, name="monthly_report_file"),
    path("<str:kind>/", views.dashboard, name="dashboard"),
    path("<str:kind>/<str:page>/", views.dashboard, name="dashboard_page"),
    path("<str:kind>/<str:page>/export.<str:fmt>", views.dashboard_download, name="dashboard_download"),
    path("<str:kind>/drill/<str:name>/", views.drill, name="drill"),
]
