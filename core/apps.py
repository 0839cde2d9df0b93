from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from core.db_roles import apply_grants_after_migrate

        post_migrate.connect(apply_grants_after_migrate, dispatch_uid="core.db_roles.grants")
