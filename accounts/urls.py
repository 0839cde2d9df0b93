from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("language/", views.language, name="language"),
    path("second-factor/set-up/", views.second_factor_setup, name="second_factor_setup"),
]
