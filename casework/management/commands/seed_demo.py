"""Demo data for `make run`: every app's demo loader (`core.demo`), in order, then the sign-ins.

Running it again changes nothing: it stops if the demo offices exist.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Office
from core.demo import DemoOptions, demo_loaders

DEMO_PASSWORD = "casework-demo-2026"


class Command(BaseCommand):
    help = "Load demo offices, staff and households (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=50)
        parser.add_argument("--host", default="127.0.0.1", help="Where the site will listen, for the address printed.")
        parser.add_argument("--port", default="8000", help="The port the site will listen on, likewise.")

    def handle(self, *args, households: int, host: str, port: str, **options):
        if Office.objects.filter(code="north").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            demo = DemoOptions(password=DEMO_PASSWORD, households=households, stdout=self.stdout)
            with _quiet_background(), transaction.atomic():
                for loader in demo_loaders():
                    loader.load(demo)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins(host=host, port=port)

    def _print_logins(self, *, host: str, port: str) -> None:
        # Last, so it is the one thing on screen when the server starts.
        address = f"[{host}]" if ":" in host else host
        logins = [line for loader in demo_loaders() for line in loader.logins]
        self.stdout.write(
            "\n"
            + (
                "Admins, auditors, finance and supervisors also give a code from an authenticator app.\n"
                if settings.SECOND_FACTOR_ENFORCED
                else "Passwords only in this demo (CASEWORK_SECOND_FACTOR=1 asks for a code, as production does).\n"
            )
            + f"Casework: http://{address}:{port}/\n"
            f"Sign in as one of these (password for all: {DEMO_PASSWORD})\n" + "".join(f"{line}\n" for line in logins)
        )


@contextmanager
def _quiet_background() -> Iterator[None]:
    """Without a broker Celery runs the demo's tasks in-process and logs a line for each, and kombu
    warns that its in-memory transport has no hostname: noise over the sign-ins. Errors still show."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
