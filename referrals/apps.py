from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and resource directory"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from casework.home_cards import home_card_register
        from referrals.views import home_card

        home_card_register(home_card)

        from referrals.services import register_merge_hook

        register_merge_hook()

        from core.demo import demo_loader_register
        from referrals.demo import load_demo

        demo_loader_register(name="referrals", order=30, load=load_demo)
