"""The periodic jobs of assistance (see `config/schedules.py`): the monthly payment run, the
nightly settling of redeterminations into overpayments and arrears, and the ledger's coming months."""

from assistance.tasks.ledger import *  # noqa: F403
from assistance.tasks.overpayments import *  # noqa: F403
from assistance.tasks.runs import *  # noqa: F403
