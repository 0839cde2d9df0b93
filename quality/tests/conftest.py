"""What every quality test shares: a clock stopped in the month after the sampled one, and a reviewer."""

import pytest
import time_machine

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-11-10 10:00 -05:00", tick=False):
        yield


@pytest.fixture
def reviewer(north):
    return UserFactory(username="qa", office=north, roles=["reviewer"])
