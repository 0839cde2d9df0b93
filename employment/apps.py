from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = "Employment services"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from casework.home_cards import home_card_register
        from employment.views import home_card

        home_card_register(home_card)

        from core.demo import demo_loader_register
        from employment.demo import load_demo

        demo_loader_register(name="employment", order=60, load=load_demo)
