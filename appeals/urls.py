from django.urls import path

from appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("cases/<int:case_id>/new/", views.appeal_request, name="request"),
    path("cases/<int:case_id>/open/", views.case_open_appeals, name="case_open"),
    path("clients/<int:client_id>/open/", views.client_open_appeals, name="client_open"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/hearing/", views.appeal_schedule, name="schedule"),
    path("<int:pk>/good-cause/", views.appeal_accept_late, name="accept_late"),
    path("<int:pk>/decision/", views.appeal_decide, name="decide"),
    path("<int:pk>/settlement/", views.appeal_settle, name="settle"),
    path("<int:pk>/withdrawal/", views.appeal_withdraw, name="withdraw"),
]
