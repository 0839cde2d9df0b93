from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework.services import cases

        cases.register_merge_hook()

        from casework.demo import LOGINS, load_demo_casework
        from core.demo import demo_loader_register

        # After the state's parameters (eligibility's loader), before what other apps build on the cases.
        demo_loader_register(name="casework", order=20, load=load_demo_casework, logins=LOGINS)
