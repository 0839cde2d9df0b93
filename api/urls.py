from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.register("clients", views.ClientViewSet, basename="client")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("cases", views.CaseViewSet, basename="case")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("enrollments", views.EnrollmentViewSet, basename="enrollment")
router.register("determinations", views.DeterminationViewSet, basename="determination")
router.register("issuances", views.IssuanceViewSet, basename="issuance")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("appointments", views.AppointmentViewSet, basename="appointment")
router.register("directory/services", views.HsdsServiceViewSet, basename="hsds-service")
router.register("directory/organizations", views.HsdsOrganizationViewSet, basename="hsds-organization")
router.register("webhooks", views.WebhookViewSet, basename="webhook")

app_name = "v1"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="v1:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="v1:schema"), name="redoc"),
    path("", include(router.urls)),
]
