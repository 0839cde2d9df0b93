from django.contrib import admin

from api.models import PartnerBinding, WebhookSubscription


@admin.register(PartnerBinding)
class PartnerBindingAdmin(admin.ModelAdmin):
    list_display = ["application", "office", "organization", "created_at"]
    readonly_fields = ["application", "office", "organization", "created_at"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "application", "active", "created_at"]
    list_filter = ["active"]
    exclude = ["secret"]
