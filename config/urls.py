from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Casework administration"
admin.site.site_title = "Casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("casework.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
