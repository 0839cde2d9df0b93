from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit.services import audit_record
        from core.status import status_audit_with

        # Every status move is audited: `core` sits below this app, so it is handed the recorder.
        status_audit_with(audit_record)
