from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework import letters
        from casework.home_cards import home_card_register
        from casework.services import cases
        from casework.views.appointments import home_card

        cases.register_merge_hook()
        letters.letters_register()
        home_card_register(home_card)
