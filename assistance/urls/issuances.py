"""Issuances, the approval queue and the ledger pages."""

from django.urls import path

from assistance.views import issuances, ledger, queue

urlpatterns = [
    path("cases/<int:pk>/", issuances.case_issuances, name="case_issuances"),
    path("cases/<int:pk>/request/", issuances.issuance_request, name="issuance_request"),
    path("issuances/<int:pk>/", issuances.issuance_detail, name="issuance_detail"),
    path("issuances/<int:pk>/issue/", issuances.issuance_issue, name="issuance_issue"),
    path("issuances/<int:pk>/cancel/", issuances.issuance_cancel, name="issuance_cancel"),
    path("issuances/<int:pk>/reverse/", issuances.issuance_reverse, name="issuance_reverse"),
    path("issuances/<int:pk>/approve/", issuances.issuance_approve, name="issuance_approve"),
    path("issuances/<int:pk>/reject/", issuances.issuance_reject, name="issuance_reject"),
    path("approvals/", queue.queue, name="queue"),
    path("approvals/decide/", queue.queue_decide, name="queue_decide"),
    path("clients/<int:pk>/ledger/", ledger.client_ledger, name="client_ledger"),
    path("ledger/", ledger.program_ledger, name="program_ledger"),
]
