from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/decide/", views.project_decide, name="project_decide"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
]
