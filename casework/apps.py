from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework import letters
        from casework.demo import LOGINS, load_demo_casework
        from casework.home_cards import home_card_register
        from casework.services import cases
        from casework.views.appointments import home_card
        from core.demo import demo_loader_register

        cases.register_merge_hook()
        letters.letters_register()
        home_card_register(home_card)
        # After the state's parameters (eligibility's loader), before what other apps build on the cases.
        demo_loader_register(name="casework", order=20, load=load_demo_casework, logins=LOGINS)
