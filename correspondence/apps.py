from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = "Correspondence with clients"

    def ready(self) -> None:
        # The letters this app owns itself (a worker's free letter and memo).
        from correspondence import letters  # noqa: F401
        from correspondence.services import register_merge_hook

        register_merge_hook()
