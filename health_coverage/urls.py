from django.urls import path

from health_coverage import views

app_name = "coverage"

urlpatterns = [
    path("special-authorizations/", views.special_authorization_list, name="special_authorizations"),
    path("claims/", views.claim_list, name="claims"),
    path("cases/<int:pk>/", views.case_coverage, name="case_coverage"),
    path(
        "cases/<int:pk>/special-authorizations/new/", views.special_authorization_new, name="special_authorization_new"
    ),
    path("special-authorizations/<int:pk>/", views.special_authorization_detail, name="special_authorization_detail"),
]
