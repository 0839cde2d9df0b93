from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("openings/", views.opening_list, name="opening_list"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/refer/", views.opening_refer, name="opening_refer"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/contacts/new/", views.employer_contact_add, name="employer_contact_add"),
    path("employers/<int:pk>/log/new/", views.development_contact_add, name="development_contact_add"),
    path("openings/new/", views.opening_create, name="opening_create"),
    path("referrals/<int:pk>/placement/", views.placement_create, name="placement_create"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/roster/", views.roster_add, name="roster_add"),
    path("clients/<int:client_pk>/skills/", views.skills_add, name="skills_add"),
]
