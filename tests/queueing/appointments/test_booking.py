"""Booking, rescheduling, cancelling and checking in appointments, as customers and tellers
notice them, at the fixed moment of `clock`."""

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
import time_machine

from branchsite.infra.errors import DomainError
from queueing import selectors, services
from queueing.lobby import lobby_snapshot
from queueing.models import Appointment, AppointmentSlot, Ticket
from tests import factories

from .clock import NOW, TODAY, TOMORROW, at

pytestmark = pytest.mark.django_db


def check_in(*, appointment, now=None):
    """The customer checks in from their phone, in the lobby: with the code its screens show."""
    code = factories.lobby_code(appointment.branch, now=now)
    return services.appointment_check_in(appointment=appointment, presence_code=code, now=now)


@pytest.fixture
def large_cash(branch):
    return factories.make_service(
        branch,
        "A",
        name_en="Cash",
        name_zh="现金",
        appointment_capacity=3,
        reserves_cash=True,
    )


def book(service, start, phone="13812345678", **fields) -> Appointment:
    return services.appointment_book(service=service, start=start, phone=phone, **fields)


def refused(code: str):
    class Refusal:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, trace):
            assert isinstance(error, DomainError), f"expected {code}, nothing was refused"
            assert error.code == code, f"expected {code}, got {error.code}: {error.detail}"
            return True

    return Refusal()


# Slots --------------------------------------------------------------------------------------


def test_a_days_slots_fill_the_opening_hours_and_only_those_not_begun_are_offered(wealth):
    starts = [slot.start for slot in selectors.slots_for_day(service=wealth, day=TODAY)]
    assert starts[0] == at(TODAY, 10, 30)  # 10:00 has begun
    assert starts[-1] == at(TODAY, 16, 30)  # the last one ends at closing
    assert len(selectors.slots_for_day(service=wealth, day=TOMORROW)) == 16


def test_a_closed_day_has_no_slots(wealth):
    sunday = date(2026, 12, 6)
    assert selectors.slots_for_day(service=wealth, day=sunday) == []


def test_a_booking_leaves_one_place_fewer_in_its_slot(wealth):
    book(wealth, at(TOMORROW, 9))
    first = selectors.slots_for_day(service=wealth, day=TOMORROW)[0]
    assert (first.capacity, first.remaining) == (2, 1)


# Booking ------------------------------------------------------------------------------------


def test_a_full_slot_refuses_the_next_customer_and_books_nothing(wealth):
    book(wealth, at(TOMORROW, 9), phone="13800000001")
    book(wealth, at(TOMORROW, 9), phone="13800000002")
    with refused("slot_full"):
        book(wealth, at(TOMORROW, 9), phone="13800000003")
    assert Appointment.objects.count() == 2
    assert AppointmentSlot.objects.get().booked == 2


def test_one_phone_holds_one_appointment_per_branch_and_day_however_it_is_typed(wealth):
    book(wealth, at(TOMORROW, 9), phone="138 1234 5678")
    with refused("already_booked"):
        book(wealth, at(TOMORROW, 11), phone="+86 138-1234-5678")
    assert book(wealth, at(TOMORROW + timedelta(days=1), 9), phone="13812345678")


@pytest.mark.parametrize(
    "lookalike",
    [
        "13８１２３４５６７８",  # full-width digits, as a Chinese keyboard may type them
        "13٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits after an ASCII 13
        "138१२३४५६७८",  # Devanagari digits
    ],
)
def test_a_phone_in_other_digits_is_refused_rather_than_counted_as_another_customer(
    wealth, lookalike
):
    book(wealth, at(TOMORROW, 9), phone="13812345678")
    with refused("invalid_phone"):
        book(wealth, at(TOMORROW, 11), phone=lookalike)
    assert Appointment.objects.count() == 1


def test_a_name_keeps_what_a_person_wrote_and_loses_what_a_terminal_or_a_screen_would_obey(
    wealth,
):
    cases = {
        "王\u200b小明": "王小明",
        "\x1b[31mRed\x1b[0m Li": "Red Li",
        "Ann\u202e001A": "Ann001A",
        "\u200b\u200b\u200b": "",
        "Zhang\x00\x07  San\r\n": "Zhang San",
        "José Müller": "José Müller",
    }
    for hour, (typed, kept) in enumerate(cases.items(), start=9):
        appointment = book(wealth, at(TOMORROW, hour), phone=f"138000000{hour:02d}", name=typed)
        appointment.refresh_from_db()
        assert appointment.name == kept, typed


def test_a_cancelled_appointment_frees_its_place_and_the_phone_may_book_again(wealth):
    first = book(wealth, at(TOMORROW, 9), phone="13800000001")
    book(wealth, at(TOMORROW, 9), phone="13800000002")
    services.appointment_cancel(appointment=first)
    assert selectors.slots_for_day(service=wealth, day=TOMORROW)[0].remaining == 1
    assert book(wealth, at(TOMORROW, 9), phone="13800000001").status == "booked"


def test_a_time_that_is_not_a_slot_or_has_passed_cannot_be_booked(wealth, branch):
    with refused("not_a_slot"):
        book(wealth, at(TOMORROW, 9, 10))
    with refused("slot_in_past"):
        book(wealth, at(TODAY, 9, 30))
    with refused("too_far_ahead"):
        book(wealth, at(TODAY + timedelta(days=15), 9))
    with refused("invalid_phone"):
        book(wealth, at(TOMORROW, 9), phone="12345")
    assert not Appointment.objects.exists()


def test_a_service_without_places_takes_no_bookings(branch):
    walk_in_only = factories.make_service(branch, "B")
    with refused("appointments_not_offered"):
        book(walk_in_only, at(TOMORROW, 9))


# Rescheduling -------------------------------------------------------------------------------


def test_rescheduling_moves_the_place_to_the_new_slot(wealth):
    appointment = book(wealth, at(TOMORROW, 9))
    services.appointment_reschedule(appointment=appointment, start=at(TOMORROW, 14))
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TOMORROW, 14)
    slots = {
        slot.start: slot.remaining for slot in selectors.slots_for_day(service=wealth, day=TOMORROW)
    }
    assert slots[at(TOMORROW, 9)] == 2
    assert slots[at(TOMORROW, 14)] == 1


def test_rescheduling_into_a_full_slot_leaves_the_appointment_where_it_was(wealth):
    appointment = book(wealth, at(TOMORROW, 9), phone="13800000001")
    book(wealth, at(TOMORROW, 14), phone="13800000002")
    book(wealth, at(TOMORROW, 14), phone="13800000003")
    with refused("slot_full"):
        services.appointment_reschedule(appointment=appointment, start=at(TOMORROW, 14))
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TOMORROW, 9)
    slots = {
        slot.start: slot.remaining for slot in selectors.slots_for_day(service=wealth, day=TOMORROW)
    }
    assert slots[at(TOMORROW, 9)] == 1
    assert slots[at(TOMORROW, 14)] == 0


def test_rescheduling_to_a_day_the_phone_already_has_an_appointment_is_refused(wealth, branch):
    other = factories.make_service(branch, "D", appointment_capacity=1)
    book(other, at(TOMORROW, 9))
    appointment = book(wealth, at(TOMORROW + timedelta(days=1), 9))
    with refused("already_booked"):
        services.appointment_reschedule(appointment=appointment, start=at(TOMORROW, 10))


def test_a_cancelled_appointment_cannot_be_rescheduled_or_cancelled_again(wealth):
    appointment = services.appointment_cancel(appointment=book(wealth, at(TOMORROW, 9)))
    with refused("appointment_not_booked"):
        services.appointment_cancel(appointment=appointment)
    with refused("appointment_not_booked"):
        services.appointment_reschedule(appointment=appointment, start=at(TOMORROW, 10))


# Check-in -----------------------------------------------------------------------------------


@pytest.fixture
def eleven_oclock(wealth) -> Appointment:
    return book(wealth, at(TODAY, 11))


@pytest.mark.parametrize(
    "moment", [at(TODAY, 10, 30), at(TODAY, 11), at(TODAY, 11, 15)], ids=["-30", "0", "+15"]
)
def test_check_in_is_open_from_half_an_hour_before_to_a_quarter_after(eleven_oclock, moment):
    ticket = check_in(appointment=eleven_oclock, now=moment)
    eleven_oclock.refresh_from_db()
    assert eleven_oclock.status == "checked_in"
    assert eleven_oclock.ticket == ticket
    assert ticket.channel == Ticket.Channel.APPOINTMENT
    assert ticket.number == "C001"


def test_a_customer_early_by_a_second_is_told_when_check_in_opens(eleven_oclock):
    with refused("check_in_not_yet"):
        check_in(appointment=eleven_oclock, now=at(TODAY, 10, 30) - timedelta(seconds=1))
    eleven_oclock.refresh_from_db()
    assert eleven_oclock.status == "booked"
    assert not Ticket.objects.exists()


def test_a_customer_late_by_a_second_cannot_check_in(eleven_oclock):
    with refused("check_in_closed"):
        check_in(appointment=eleven_oclock, now=at(TODAY, 11, 15) + timedelta(seconds=1))


def test_an_appointment_checks_in_once(eleven_oclock):
    check_in(appointment=eleven_oclock, now=at(TODAY, 10, 45))
    with refused("appointment_not_booked"):
        check_in(appointment=eleven_oclock, now=at(TODAY, 10, 46))
    assert Ticket.objects.count() == 1


def test_a_checked_in_appointment_is_called_before_earlier_walk_ins_once_its_slot_begins(
    wealth, branch, eleven_oclock
):
    counter = factories.make_counter(branch, 1, [wealth])
    walk_ins = factories.issue(wealth, 2)
    check_in(appointment=eleven_oclock, now=at(TODAY, 10, 50))
    before = services.ticket_call_next(counter=counter, actor=None, now=at(TODAY, 10, 55))
    assert before == walk_ins[0]  # the slot has not begun: walk-ins keep their turn
    services.ticket_start(ticket=before, actor=None)
    services.ticket_finish(ticket=before, actor=None)
    called = services.ticket_call_next(counter=counter, actor=None, now=at(TODAY, 11))
    assert called.channel == "appointment"


def test_check_in_needs_the_branch_to_be_open(branch):
    early = factories.make_service(branch, "E", appointment_capacity=1)
    appointment = book(early, at(TOMORROW, 9))
    with refused("branch_closed"):
        check_in(appointment=appointment, now=at(TOMORROW, 8, 45))
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_appointments_not_checked_in_a_quarter_after_they_began_are_marked_missed(wealth):
    missed = book(wealth, at(TODAY, 10, 30), phone="13800000001")
    on_time = book(wealth, at(TODAY, 10, 30), phone="13800000002")
    later = book(wealth, at(TODAY, 12), phone="13800000003")
    check_in(appointment=on_time, now=at(TODAY, 10, 30))

    assert services.appointments_mark_missed(now=at(TODAY, 10, 45)) == 0
    assert (
        services.appointments_mark_missed(
            now=at(
                TODAY,
                10,
                45,
            )
            + timedelta(seconds=1)
        )
        == 1
    )
    assert services.appointments_mark_missed(now=at(TODAY, 10, 46)) == 0  # idempotent

    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses == {missed.pk: "missed", on_time.pk: "checked_in", later.pk: "booked"}


# Large cash withdrawals ---------------------------------------------------------------------


def test_large_cash_is_booked_at_least_a_day_ahead_with_amount_and_currency(large_cash):
    with refused("book_a_day_ahead"):
        book(large_cash, at(TODAY, 15), cash_amount=Decimal("80000"), cash_currency="CNY")
    with refused("cash_amount_required"):
        book(large_cash, at(TOMORROW, 9))
    appointment = book(
        large_cash, at(TOMORROW, 9), cash_amount=Decimal("80000"), cash_currency="CNY"
    )
    assert (appointment.cash_amount, appointment.cash_currency) == (Decimal("80000"), "CNY")
    assert selectors.slots_for_day(service=large_cash, day=TOMORROW)[0].remaining == 2


def test_other_services_take_no_cash_amount(wealth):
    with refused("cash_not_applicable"):
        book(wealth, at(TOMORROW, 9), cash_amount=Decimal("100"), cash_currency="CNY")


def test_head_office_sees_tomorrows_reserved_cash_per_branch_and_currency(large_cash, branch):
    book(
        large_cash,
        at(TOMORROW, 9),
        "13800000001",
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
    )
    book(
        large_cash,
        at(TOMORROW, 10),
        "13800000002",
        cash_amount=Decimal("50000"),
        cash_currency="CNY",
    )
    book(
        large_cash,
        at(TOMORROW, 11),
        "13800000003",
        cash_amount=Decimal("20000"),
        cash_currency="USD",
    )
    cancelled = book(
        large_cash, at(TOMORROW, 12), "13800000004", cash_amount=Decimal("9"), cash_currency="CNY"
    )
    services.appointment_cancel(appointment=cancelled)

    reserved = [
        (r.branch.code, r.currency, r.total, r.appointments)
        for r in selectors.reserved_cash(day=TOMORROW)
    ]
    assert reserved == [
        (branch.code, "CNY", Decimal("130000.00"), 2),
        (branch.code, "USD", Decimal("20000.00"), 1),
    ]
    assert selectors.tomorrow_at_head_office() == TOMORROW


def test_the_teller_sees_the_reserved_cash_when_the_appointments_ticket_is_called(
    large_cash, branch, teller_api
):
    counter = factories.make_counter(branch, 1, [large_cash])
    appointment = book(
        large_cash,
        at(TOMORROW, 9),
        name="王小明",
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
    )
    with time_machine.travel(at(TOMORROW, 9), tick=False):
        check_in(appointment=appointment)
        response = teller_api.post(
            f"/api/branches/{branch.code}/counters/{counter.number}/call-next/"
        )
        board = lobby_snapshot(branch)
    assert response.status_code == 200, response.json()
    assert response.json()["appointment"] == {
        "starts_at": at(TOMORROW, 9).astimezone(UTC).isoformat(),
        "name": "王小明",
        "cash_amount": "80000.00",
        "cash_currency": "CNY",
    }
    assert board["tickets"][0]["appointment"]["cash_amount"] == "80000.00"


def test_the_periodic_tasks_mark_the_missed_and_forget_old_limit_counts(wealth):
    from branchsite.infra import rate_limits
    from branchsite.infra import tasks as infra_tasks
    from queueing import tasks

    book(wealth, at(TODAY, 10, 30))
    rate_limits.limit_take(
        scope="booking.phone", value="13812345678", allowed=5, window=timedelta(days=1)
    )
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert tasks.mark_missed_appointments() == 1
        assert infra_tasks.forget_old_rate_limit_windows() == 1  # the phone's day, used twice
    assert Appointment.objects.get().status == "missed"
