"""The booking window, written once (`selectors.booking_window`): the slots list offers exactly
the days that booking accepts, at the fixed moment of `clock` (Tuesday 1 December 2026)."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest

from branchsite.infra.errors import DomainError
from queueing import selectors, services
from queueing.errors import QueueError
from tests import factories

from .clock import NOW, TODAY, TOMORROW, at

pytestmark = pytest.mark.django_db

_phones = count(13800000001)


@pytest.fixture
def large_cash(branch):
    return factories.make_service(
        branch, "A", name_en="Cash", appointment_capacity=3, reserves_cash=True
    )


def test_a_service_books_from_today_to_the_last_booking_day(wealth, settings):
    window = selectors.booking_window(service=wealth, now=NOW)
    assert (window.first_day, window.last_day) == (
        TODAY,
        TODAY + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS),
    )
    assert TODAY in window and window.last_day in window
    assert TODAY - timedelta(days=1) not in window
    assert window.last_day + timedelta(days=1) not in window


def test_large_cash_books_from_tomorrow_as_it_is_ordered_the_day_before(large_cash, settings):
    window = selectors.booking_window(service=large_cash, now=NOW)
    assert (window.first_day, window.last_day) == (
        TOMORROW,
        TODAY + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS),
    )


def test_the_window_follows_the_branchs_business_day_not_the_servers(branch):
    london = factories.make_branch("LDN-01", time_zone="Europe/London")
    service = factories.make_service(london, "C", appointment_capacity=2)
    # 10:00 in Guangzhou is 02:00 in London: still 1 December there, as here.
    assert selectors.booking_window(service=service, now=NOW).first_day == TODAY
    # 06:00 in Guangzhou is 22:00 of the day before in London.
    early = NOW.replace(hour=6)
    assert selectors.booking_window(service=service, now=early).first_day == TODAY - timedelta(
        days=1
    )


def booking_accepted(service, day) -> bool:
    cash = (
        {"cash_amount": Decimal("80000"), "cash_currency": "CNY"} if service.reserves_cash else {}
    )
    try:
        services.appointment_book(
            service=service, start=at(day, 11), phone=f"{next(_phones)}", now=NOW, **cash
        )
    except QueueError as refusal:
        assert refusal.code in {"slot_in_past", "book_a_day_ahead", "too_far_ahead"}
        return False
    return True


@pytest.mark.parametrize("prefix", ["C", "A"])
def test_the_slots_list_offers_exactly_the_days_that_booking_accepts(
    wealth, large_cash, settings, prefix
):
    """Around both edges of the window, for a service booked the same day and one booked a day
    ahead: a day with slots to list is a day that takes a booking, and no other."""
    service = {"C": wealth, "A": large_cash}[prefix]
    last = TODAY + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS)
    days = [TODAY - timedelta(days=1), TODAY, TOMORROW, last, last + timedelta(days=1)]
    listed = {
        day: bool(selectors.bookable_slots(service=service, day=day, now=NOW)) for day in days
    }
    accepted = {day: booking_accepted(service, day) for day in days}
    assert listed == accepted
    first = TOMORROW if service.reserves_cash else TODAY
    assert [day for day in days if listed[day]] == [day for day in days if first <= day <= last]


def test_a_service_that_takes_no_appointments_has_no_slots_to_list(branch):
    walk_in_only = factories.make_service(branch, "B", appointment_capacity=0)
    with pytest.raises(DomainError) as refusal:
        selectors.bookable_slots(service=walk_in_only, day=TOMORROW, now=NOW)
    assert (refusal.value.code, refusal.value.status) == ("appointments_not_offered", 409)
