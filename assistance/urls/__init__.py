"""The assistance pages: each area's routes live in a module of this package."""

from assistance.urls import issuances, overpayments, runs

app_name = "assistance"

urlpatterns = [*issuances.urlpatterns, *runs.urlpatterns, *overpayments.urlpatterns]
