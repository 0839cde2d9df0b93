from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "Assistance"

    def ready(self) -> None:
        # casework's home page may not import this app; it shows the card this hands it.
        from assistance.views.issuances import home_card
        from casework.home_cards import home_card_register

        home_card_register(home_card)

        from assistance.services.merge import register_merge_hook

        register_merge_hook()

        from assistance.demo import LOGINS, load_demo
        from core.demo import demo_loader_register

        demo_loader_register(name="assistance", order=40, load=load_demo, logins=LOGINS)
