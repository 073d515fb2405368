"""Bookings and abuse limits under real concurrency, against PostgreSQL with real commits.

What a bank would notice if these failed: more customers turning up for a slot than the branch
has staff for, a customer told "booked" whose booking vanished, an error page at the busy hour
when a popular slot opens, or a script taking hundreds of tickets because its requests arrived
together.
"""

import threading
import traceback
from collections import Counter as Tally
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from queueing.models import Appointment, AppointmentSlot, Ticket
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CUSTOMERS = 50
ROUNDS = 4
CAPACITY = 3
DEADLINE_SECONDS = 60


def all_at_once(requests: list[Callable[[], int]]) -> list[int]:
    """Run each request in its own thread, released together; their HTTP statuses."""
    start = threading.Barrier(len(requests))
    statuses: list[int] = []
    errors: list[str] = []

    def run(request: Callable[[], int]) -> None:
        try:
            start.wait(timeout=DEADLINE_SECONDS)
            statuses.append(request())
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, "a request failed:\n" + "\n".join(errors)
    return statuses


def post(path: str, body: dict, *, address: str, codes: list[str] | None = None) -> int:
    response = APIClient(REMOTE_ADDR=address).post(path, body, format="json")
    if codes is not None and response.status_code != 201:
        codes.append(response.json()["code"])
    return response.status_code


@pytest.fixture
def wealth():
    branch = factories.make_branch(hours=(time(9), time(17)))
    return factories.make_service(branch, "C", appointment_capacity=CAPACITY)


def slot_start(service, *, days_ahead: int, hour: int) -> datetime:
    branch = service.branch
    day = branch.business_day(timezone.now()) + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour), tzinfo=branch.zone)


def booking(start: datetime, phone: str) -> dict:
    return {"branch": "GZ-TH01", "service": "C", "start": start.isoformat(), "phone": phone}


def test_fifty_customers_racing_for_a_slots_last_places_never_overbook_it(wealth):
    for round_ in range(ROUNDS):
        start = slot_start(wealth, days_ahead=1, hour=9 + round_)
        # Every other round, the slot opens with one place left.
        already = CAPACITY - 1 if round_ % 2 else 0
        for n in range(already):
            assert (
                post(
                    "/api/appointments/",
                    booking(start, f"1390000{round_}{n:03d}"),
                    address="10.1.0.1",
                )
                == 201
            )
        codes: list[str] = []
        statuses = all_at_once(
            [
                partial(
                    post,
                    "/api/appointments/",
                    booking(start, f"1380000{round_}{n:03d}"),
                    address=f"10.0.{round_}.{n}",
                    codes=codes,
                )
                for n in range(CUSTOMERS)
            ]
        )
        places_left = CAPACITY - already
        assert Tally(statuses) == {201: places_left, 409: CUSTOMERS - places_left}
        assert set(codes) == {"slot_full"}
        slot = AppointmentSlot.objects.get(service=wealth, starts_at=start)
        assert slot.booked == CAPACITY
        assert Appointment.objects.filter(slot=slot, status="booked").count() == CAPACITY


def test_customers_swapping_slots_at_once_both_move_and_no_place_is_lost(wealth):
    for round_ in range(ROUNDS):
        early = slot_start(wealth, days_ahead=2, hour=9 + 2 * round_)
        late = early + timedelta(hours=1)
        alice = (
            APIClient().post("/api/appointments/", booking(early, f"1371111{round_:04d}")).json()
        )
        bob = APIClient().post("/api/appointments/", booking(late, f"1372222{round_:04d}")).json()

        statuses = all_at_once(
            [
                partial(
                    post,
                    f"/api/appointments/{alice['token']}/reschedule/",
                    {"start": late.isoformat()},
                    address="10.2.0.1",
                ),
                partial(
                    post,
                    f"/api/appointments/{bob['token']}/reschedule/",
                    {"start": early.isoformat()},
                    address="10.2.0.2",
                ),
            ]
        )
        assert statuses == [200, 200]
        booked = dict(
            AppointmentSlot.objects.filter(starts_at__in=[early, late]).values_list(
                "starts_at", "booked"
            )
        )
        assert booked == {early: 1, late: 1}


def test_parallel_remote_tickets_from_one_phone_stop_exactly_at_its_limit(settings):
    settings.REMOTE_TICKETS_PER_PHONE_PER_HOUR = 5
    settings.ONE_WAITING_TICKET_PER_PHONE = False  # the hourly limit alone, here
    branch = factories.make_branch()
    factories.make_service(branch, "A")
    ticket = {"branch": "GZ-TH01", "service": "A", "phone": "13812345678"}
    codes: list[str] = []
    statuses = all_at_once(
        [
            lambda n=n: post("/api/tickets/", ticket, address=f"10.3.0.{n}", codes=codes)
            for n in range(20)
        ]
    )
    assert Tally(statuses) == {201: 5, 429: 15}
    assert set(codes) == {"rate_limited"}
    assert Ticket.objects.count() == 5


def test_parallel_bookings_from_one_network_stop_exactly_at_its_limit(wealth, settings):
    settings.BOOKINGS_PER_ADDRESS_PER_DAY = 7
    statuses = all_at_once(
        [
            lambda n=n: post(
                "/api/appointments/",
                booking(slot_start(wealth, days_ahead=3, hour=9 + n % 8), f"1360000{n:04d}"),
                address="10.4.0.1",
            )
            for n in range(20)
        ]
    )
    assert statuses.count(201) == 7
    assert set(statuses) <= {201, 409, 429}
    assert Appointment.objects.count() == 7
