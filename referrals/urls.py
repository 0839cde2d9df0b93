from django.urls import path

from referrals import partner_views, views

app_name = "referrals"

urlpatterns = [
    # The resource directory
    path("directory/", views.directory, name="directory"),
    path("directory/services/<int:pk>/", views.service_detail, name="service_detail"),
    path("directory/import/", views.directory_import, name="directory_import"),
    path("directory/export.zip", views.directory_export, name="directory_export"),
    # Referrals
    path("cases/<int:pk>/", views.case_referrals, name="case_referrals"),
    path("new/", views.referral_new, name="referral_new"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/move/", views.referral_move, name="referral_move"),
    path("<int:pk>/letter.pdf", views.referral_letter, name="referral_letter"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("figures/", views.figures, name="figures"),
    path("figures/partners/", views.partner_figures, name="partner_figures"),
    # The receiving organization's signed link (no sign-in)
    path("for-partner/<str:token>/", partner_views.partner_referral, name="partner_referral"),
]
