from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "health_coverage"
    label = "coverage"
    verbose_name = "Health coverage"

    def ready(self) -> None:
        # assistance's drug card pages may not import this app: it hands them its restrictions.
        from assistance.drug_cards import drug_card_notes_register
        from core.demo import demo_loader_register
        from health_coverage import letters  # noqa: F401  (registers the letters this app sends)
        from health_coverage.demo import load_demo
        from health_coverage.selectors import restriction_notes

        drug_card_notes_register(restriction_notes)
        # After assistance's loader: the claims and travel are paid through its limits and budget.
        demo_loader_register(name="coverage", order=50, load=load_demo)
