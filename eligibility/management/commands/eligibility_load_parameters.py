from django.core.management.base import BaseCommand
from django.db import transaction

from eligibility.loading import load_shipped
from eligibility.models import ParameterValue, Program


class Command(BaseCommand):
    help = "Create the shipped programs and parameter values that are missing (safe to run again)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            programs, values = load_shipped(Program, ParameterValue)
        self.stdout.write(f"Programs created: {programs}; parameter values created: {values}.")
