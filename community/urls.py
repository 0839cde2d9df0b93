from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/decide/", views.project_decide, name="project_decide"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/participants/new/", views.participant_add, name="participant_add"),
    path("projects/<int:pk>/agreement/", views.agreement_sign, name="agreement_sign"),
    path("projects/<int:pk>/visits/new/", views.visit_record, name="visit_record"),
    path("projects/<int:pk>/contacts/", views.participant_contact_list, name="participant_contact_list"),
    path(
        "projects/<int:pk>/participants/<int:participant_pk>/contacts/new/",
        views.participant_contact_add,
        name="participant_contact_add",
    ),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/shifts/<int:shift_pk>/hours/", views.volunteer_hours, name="volunteer_hours"),
    path("volunteers/<int:pk>/screening/", views.volunteer_screening, name="volunteer_screening"),
    path("volunteers/<int:pk>/references/new/", views.volunteer_reference, name="volunteer_reference"),
    path("volunteers/<int:pk>/shifts/new/", views.volunteer_shift, name="volunteer_shift"),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/new/", views.outreach_create, name="outreach_create"),
    path("brochures/", views.brochure_list, name="brochure_list"),
    path("brochures/new/", views.brochure_create, name="brochure_create"),
    path("brochures/<int:pk>/", views.brochure_download, name="brochure_download"),
]
