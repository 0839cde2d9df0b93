from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "Appeals and fair hearings"

    def ready(self) -> None:
        import appeals.letters  # noqa: F401  (registers the notice of hearing)
