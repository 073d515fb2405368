"""Rules that the pages and the API used to decide themselves, now read from the selectors:
where staff work, who sees reserved cash and for which day, and the advice a ticket holder gets."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from queueing import selectors, services
from queueing.models import StaffMembership
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_teller_seated_at_a_counter_works_at_that_counter(teller, counter):
    counter.teller = teller
    counter.save()
    assert selectors.staff_workplace(teller) == selectors.Workplace(
        branch=counter.branch, counter=counter
    )


def test_a_teller_at_no_counter_and_a_lobby_manager_work_at_the_branch_board(branch, counter):
    teller = factories.make_staff(branch, role=StaffMembership.Role.TELLER)
    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    counter.teller = manager  # a lobby manager who stepped in is still the lobby's
    counter.save()
    for member in (teller, manager):
        assert selectors.staff_workplace(member) == selectors.Workplace(branch=branch, counter=None)


def test_head_office_and_accounts_of_no_branch_have_no_branch_workplace(db):
    assert selectors.staff_workplace(factories.make_head_office()) is None
    assert selectors.staff_workplace(factories.make_user()) is None


def test_only_head_office_may_see_reserved_cash(branch):
    assert selectors.user_may_see_reserved_cash(factories.make_head_office())
    assert selectors.user_may_see_reserved_cash(factories.make_user(is_superuser=True))
    for role in StaffMembership.Role.values:
        if role != StaffMembership.Role.HEAD_OFFICE:
            assert not selectors.user_may_see_reserved_cash(factories.make_staff(branch, role=role))


def test_reserved_cash_is_for_tomorrow_at_head_office_unless_a_day_is_given(branch):
    large_cash = factories.make_service(branch, "D", appointment_capacity=2, reserves_cash=True)
    # 23:30 in London is already the next morning in Beijing, where head office orders cash.
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(late_evening, tick=False):
        tomorrow = selectors.tomorrow_at_head_office()
        assert tomorrow == datetime(2026, 12, 2).date()
        start = datetime(2026, 12, 2, 10, 0, tzinfo=branch.zone)
        services.appointment_book(
            service=large_cash,
            start=start,
            phone="13812345678",
            cash_amount=80000,
            cash_currency="CNY",
        )
        assert [(r.branch, r.total) for r in selectors.reserved_cash()] == [(branch, 80000)]
        assert selectors.reserved_cash(day=tomorrow + timedelta(days=1)) == []


def test_a_ticket_holder_is_advised_on_the_rest_of_their_wait_and_none_once_called(
    branch, cash, counter, teller
):
    tickets = factories.issue(cash, 10)
    first, last = tickets[0], tickets[-1]
    assert selectors.ticket_advice(last).estimated_wait_minutes == 45  # 9 ahead × 5 minutes
    services.ticket_call_next(counter=counter, actor=teller)
    first.refresh_from_db()
    advice = selectors.ticket_advice(first)
    assert (advice.estimated_wait_minutes, advice.over_threshold) == (0, False)
