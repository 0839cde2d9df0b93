from django.urls import path

from assistance.views import runs as views

urlpatterns = [
    path("payment-runs/", views.run_list, name="run_list"),
    path("payment-runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("payment-runs/<int:pk>/payments.csv", views.run_file, name="run_file"),
]
