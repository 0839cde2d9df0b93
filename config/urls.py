from django.contrib import admin
from django.urls import include, path

from casework.views import home as home_views
from core.health import healthz

admin.site.site_header = "Casework administration"
admin.site.site_title = "Casework"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("casework.urls")),
    path("audit/", include("audit.urls")),
    path("referrals/", include("referrals.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("assistance/", include("assistance.urls")),
    path("coverage/", include("health_coverage.urls")),
    path("correspondence/", include("correspondence.urls")),
    path("api/v1/", include("api.urls", namespace="v1")),
    path("api/oauth/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("appeals/", include("appeals.urls")),
    path("quality/", include("quality.urls")),
    path("reports/", include("reports.urls")),
    path("employment/", include("employment.urls")),
    path("community/", include("community.urls")),
    path("admin/", admin.site.urls),
]
