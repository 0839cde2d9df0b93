from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from eligibility.loading import load_shipped
from eligibility.models import ParameterValue, Program
from eligibility.rules.parameters import STATE_FILES


class Command(BaseCommand):
    help = (
        "Create the shipped programs and parameter values that are missing (safe to run again); "
        "--state adds a state's own figures and options (SNAP: --state ct for Connecticut)."
    )

    def add_arguments(self, parser) -> None:
        shipped = sorted({state for states in STATE_FILES.values() for state in states})
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            help=f"a state whose shipped figures to load as well (shipped: {', '.join(shipped)})",
        )

    def handle(self, *args, state: list[str], **options) -> None:
        shipped = {code for states in STATE_FILES.values() for code in states}
        unknown = sorted(set(state) - shipped)
        if unknown:
            raise CommandError(
                f"No parameters are shipped for {', '.join(unknown)}; shipped: {', '.join(sorted(shipped))}."
            )
        with transaction.atomic():
            programs, values = load_shipped(Program, ParameterValue, states=tuple(state))
        self.stdout.write(f"Programs created: {programs}; parameter values created: {values}.")
