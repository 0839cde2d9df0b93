from django.urls import path

from coverage import views

app_name = "coverage"

urlpatterns = [
    path("special-authorizations/", views.special_authorization_list, name="special_authorizations"),
    path("claims/", views.claim_list, name="claims"),
]
