from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("openings/", views.opening_list, name="opening_list"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/refer/", views.opening_refer, name="opening_refer"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
]
