from django.urls import path

from assistance.views import overpayments as views

urlpatterns = [
    path("cases/<int:pk>/overpayments/", views.case_overpayments, name="case_overpayments"),
    path("cases/<int:pk>/overpayments/new/", views.overpayment_new, name="overpayment_new"),
    path("overpayments/<int:pk>/", views.overpayment_detail, name="overpayment_detail"),
    path("overpayments/<int:pk>/reason/", views.overpayment_reason, name="overpayment_reason"),
    path("overpayments/<int:pk>/write-off/", views.write_off_request, name="write_off_request"),
    path("overpayments/<int:pk>/write-off/decide/", views.write_off_decide, name="write_off_decide"),
    path("overpayments/<int:pk>/agreement/", views.agreement_make, name="agreement_make"),
    path("overpayments/<int:pk>/agreement/end/", views.agreement_end, name="agreement_end"),
    path("overpayments/<int:pk>/repayments/", views.repayment_add, name="repayment_add"),
    path("overpayments/write-offs/", views.write_off_queue, name="write_off_queue"),
]
