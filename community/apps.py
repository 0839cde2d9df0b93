from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community services"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from casework.home_cards import home_card_register
        from community.views import home_card

        home_card_register(home_card)
