"""Eligibility's demo data for `make run`: the program parameters with a state's own SNAP figures.
Registered with `core.demo` in `EligibilityConfig.ready()`."""

from django.core.management import call_command

from core.demo import DemoOptions


def load_demo_parameters(options: DemoOptions) -> None:
    """SNAP's state figures (utility allowances, broad-based categorical eligibility): the demo
    agency uses Connecticut's, so a household paying for utilities can be assessed."""
    call_command("eligibility_load_parameters", state=["ct"], stdout=options.stdout)
