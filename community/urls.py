from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
]
