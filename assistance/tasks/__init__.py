"""The periodic jobs of assistance (see `config/schedules.py`): the monthly payment run and the
nightly settling of redeterminations into overpayments and arrears."""

from assistance.tasks.overpayments import *  # noqa: F403
from assistance.tasks.runs import *  # noqa: F403
