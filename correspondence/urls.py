from django.urls import path

from correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("clients/<int:pk>/", views.client_correspondence, name="client"),
    path("clients/<int:pk>/contact-preferences/", views.contact_preferences_edit, name="preferences"),
    path("<int:pk>/", views.correspondence_detail, name="detail"),
    path("<int:pk>/send-again/", views.correspondence_retry, name="retry"),
    path("<int:pk>/pdf/", views.correspondence_pdf, name="pdf"),
    path("text-status/", views.text_status_report, name="text_status"),
    path("print-batches/", views.print_batch_list, name="print_batches"),
    path("print-batches/<int:pk>/pdf/", views.print_batch_pdf, name="print_batch_pdf"),
    path("print-batches/<int:pk>/printed/", views.print_batch_printed, name="print_batch_printed"),
    path("inbox/", views.staff_inbox, name="inbox"),
]
