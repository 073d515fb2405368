"""Appointments are tested at a fixed moment (see `clock`), at a branch with bank hours."""

from datetime import time

import pytest
import time_machine

from tests import factories

from .clock import NOW


@pytest.fixture(autouse=True)
def tuesday_ten_oclock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def branch(db):
    """Open 9:00–17:00 Monday to Saturday, closed on Sunday."""
    return factories.make_branch(hours=(time(9), time(17)), weekdays=range(6))


@pytest.fixture
def wealth(branch):
    return factories.make_service(
        branch, "C", name_en="Wealth", name_zh="理财", appointment_capacity=2
    )
