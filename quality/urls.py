from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("samples/", views.sample_list, name="sample_list"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("sampled/<int:pk>/review/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/<str:step>/", views.review_update, name="review_update"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("cases/<int:pk>/", views.case_findings, name="case_findings"),
    path("error-rates/", views.error_rates, name="error_rates"),
]
