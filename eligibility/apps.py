from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from casework.home_cards import home_card_register
        from eligibility.views import home_card

        home_card_register(home_card)

        from core.demo import demo_loader_register
        from eligibility.demo import load_demo_parameters

        demo_loader_register(name="eligibility", order=10, load=load_demo_parameters)
