from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("openings/", views.opening_list, name="opening_list"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
]
