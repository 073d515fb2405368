"""A staff sign-in lasts a working day."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_teller_signed_in_in_the_morning_is_signed_out_by_the_next_morning(counter, teller):
    morning = timezone.now()
    with time_machine.travel(morning, tick=False):
        client = factories.signed_in(teller, second_factor=False)
        assert client.get("/counter/GZ-TH01/1/").status_code == 200
    with time_machine.travel(morning + timedelta(hours=11), tick=False):
        assert client.get("/counter/GZ-TH01/1/").status_code == 200
    with time_machine.travel(morning + timedelta(hours=12, minutes=1), tick=False):
        answer = client.get("/counter/GZ-TH01/1/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")
