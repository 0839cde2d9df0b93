from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/identifier/", views.client_reveal_identifier, name="reveal_identifier"),
    path("<int:pk>/facts/add/", views.person_fact_add, name="fact_add"),
    path("facts/<int:pk>/end/", views.person_fact_end, name="fact_end"),
    path("facts/<int:pk>/verify/", views.person_fact_verify, name="fact_verify"),
    path("<int:pk>/household/", views.client_household, name="household"),
    path("<int:pk>/finances/", views.client_finances, name="finances"),
    path("<int:client_pk>/finances/<str:kind>/add/", views.finance_edit, name="finance_add"),
    path("finances/<str:kind>/<int:pk>/", views.finance_edit, name="finance_edit"),
    path("<int:pk>/documents/", views.client_documents, name="documents"),
    path("<int:pk>/documents/add/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/verify/", views.document_verify, name="document_verify"),
    path("<int:pk>/consent/", views.client_consents, name="consents"),
    path("<int:pk>/consent/add/", views.consent_add, name="consent_add"),
    path("consent/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:pk>/history/", views.client_history, name="history"),
    path("<int:pk>/merge/", views.client_merge, name="merge"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
]
