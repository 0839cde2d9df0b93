from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community services"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from casework.home_cards import home_card_register
        from community.views import home_card

        home_card_register(home_card)

        from community.demo import load_demo
        from core.demo import demo_loader_register

        demo_loader_register(name="community", order=61, load=load_demo)
