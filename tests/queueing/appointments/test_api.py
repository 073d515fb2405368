"""The appointment API, the abuse limits and the pre-queue advice, as clients see them.
At the fixed moment of `clock`."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from rest_framework.test import APIClient

from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Appointment, Ticket
from tests import factories

from .clock import NOW, TODAY, TOMORROW, at

pytestmark = pytest.mark.django_db


def booking(start: datetime, phone: str = "13812345678", **fields) -> dict:
    return {
        "branch": "GZ-TH01",
        "service": "C",
        "start": start.isoformat(),
        "phone": phone,
    } | fields


def book(api, start: datetime, phone: str = "13812345678", headers=None, **fields):
    return api.post(
        "/api/appointments/", booking(start, phone, **fields), format="json", headers=headers
    )


# Slots and booking --------------------------------------------------------------------------


def test_the_slots_of_a_day_show_their_places_left(api, wealth):
    book(api, at(TOMORROW, 9))
    response = api.get(f"/api/branches/GZ-TH01/slots/?service=C&date={TOMORROW}")
    assert response.status_code == 200
    first = response.json()[0]
    assert first == {
        "start": "2026-12-02T09:00:00+08:00",
        "end": "2026-12-02T09:30:00+08:00",
        "capacity": 2,
        "remaining": 1,
    }
    assert len(response.json()) == 16


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("service=C", "invalid"),
        ("service=C&date=2026-13-01", "invalid"),
        ("service=c&date=2026-12-02", "invalid"),
        ("service=C&date=", "invalid"),
    ],
)
def test_a_bad_slots_query_is_a_clear_400(api, wealth, branch, query, code):
    response = api.get(f"/api/branches/GZ-TH01/slots/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_slots_of_a_service_that_takes_no_bookings_are_refused_by_that_rule(api, wealth, branch):
    factories.make_service(branch, "B")
    response = api.get("/api/branches/GZ-TH01/slots/?service=B&date=2026-12-02")
    assert (response.status_code, response.json()["code"]) == (409, "appointments_not_offered")


def test_a_day_beyond_the_booking_horizon_has_no_slots(api, wealth):
    far = TODAY + timedelta(days=15)
    assert api.get(f"/api/branches/GZ-TH01/slots/?service=C&date={far}").json() == []


def test_a_booking_answers_with_the_appointment_and_masks_the_phone_and_name(api, wealth):
    response = book(api, at(TOMORROW, 9), name="王小明")
    assert response.status_code == 201
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["token"] == appointment.token
    assert body["code"] == appointment.code and len(body["code"]) == 6
    assert body["status"] == "booked"
    assert body["phone"] == "138****5678"
    assert body["name"] == "王**"
    assert body["start"] == "2026-12-02T09:00:00+08:00"
    assert body["end"] == "2026-12-02T09:30:00+08:00"
    assert body["check_in_opens_at"] == "2026-12-02T08:30:00+08:00"
    assert body["check_in_closes_at"] == "2026-12-02T09:15:00+08:00"
    assert body["page_url"] == f"/a/{appointment.token}/"
    assert api.get(f"/api/appointments/{appointment.token}/").json() == body


def test_the_last_place_goes_once_and_the_next_customer_hears_the_slot_is_full(api, wealth):
    assert book(api, at(TOMORROW, 9), "13800000001").status_code == 201
    assert book(api, at(TOMORROW, 9), "13800000002").status_code == 201
    response = book(api, at(TOMORROW, 9), "13800000003")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"phone": "call me"}, "invalid_phone"),
        ({"start": "tomorrow"}, "invalid"),
        ({"cash_amount": "-5", "cash_currency": "CNY"}, "invalid"),
        ({"cash_currency": "XXX"}, "invalid"),
        ({"name": "x" * 51}, "invalid"),
    ],
)
def test_bad_booking_input_is_a_clear_400_and_books_nothing(api, wealth, change, code):
    response = api.post("/api/appointments/", booking(at(TOMORROW, 9)) | change, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"branch": "NOPE-01"}, 422, "unknown_branch"),
        ({"service": "Z"}, 422, "unknown_service"),
        ({"start": "2026-12-02T09:10:00+08:00"}, 409, "not_a_slot"),
        ({"start": "2026-12-01T09:30:00+08:00"}, 409, "slot_in_past"),
        ({"start": "2026-12-30T09:00:00+08:00"}, 409, "too_far_ahead"),
        ({"cash_amount": "500.00", "cash_currency": "CNY"}, 409, "cash_not_applicable"),
    ],
)
def test_a_well_formed_booking_a_rule_refuses_books_nothing(api, wealth, change, status, code):
    """Well formed as the schema says, so not a 400: it names nothing (422), or a rule says no."""
    response = api.post("/api/appointments/", booking(at(TOMORROW, 9)) | change, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Appointment.objects.exists()


def test_a_retried_booking_with_the_same_key_books_once(api, wealth):
    key = {"Idempotency-Key": "book-once-7f3a"}
    first = book(api, at(TOMORROW, 9), headers=key)
    again = book(api, at(TOMORROW, 9), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1
    other = book(api, at(TOMORROW, 10), headers=key)
    assert other.status_code == 422


# Holder's actions ---------------------------------------------------------------------------


def test_the_holder_reschedules_and_cancels(api, wealth):
    token = book(api, at(TOMORROW, 9)).json()["token"]
    moved = api.post(
        f"/api/appointments/{token}/reschedule/", {"start": at(TOMORROW, 15).isoformat()}
    )
    assert moved.status_code == 200
    assert moved.json()["start"] == "2026-12-02T15:00:00+08:00"
    cancelled = api.post(f"/api/appointments/{token}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(f"/api/appointments/{token}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "appointment_not_booked"


def test_an_unknown_appointment_is_a_404(api):
    assert api.get("/api/appointments/not-a-token/").status_code == 404
    assert api.post("/api/appointments/not-a-token/cancel/").status_code == 404


def test_the_holder_checks_in_within_the_window_and_gets_a_priority_ticket(api, wealth):
    token = book(api, at(TODAY, 10, 30)).json()["token"]
    in_the_lobby = {"presence_code": factories.lobby_code(wealth.branch)}
    response = api.post(f"/api/appointments/{token}/check-in/", in_the_lobby, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "appointment"
    assert api.get(f"/api/appointments/{token}/").json()["ticket"] == response.json()["token"]


def test_checking_in_too_early_says_when_it_opens(api, wealth):
    token = book(api, at(TODAY, 15)).json()["token"]
    response = api.post(f"/api/appointments/{token}/check-in/")
    assert response.status_code == 409
    assert response.json()["code"] == "check_in_not_yet"
    assert "14:30" in response.json()["detail"]


def test_a_kiosk_checks_in_an_appointment_by_its_code(api, wealth, branch):
    appointment = services.appointment_book(
        service=wealth, start=at(TODAY, 10, 30), phone="13812345678"
    )
    _, key = kiosk_register(branch=branch, name="Lobby 1")
    kiosk = APIClient(headers={"Authorization": f"Kiosk {key}"})
    typed = appointment.code.lower()[:3] + " " + appointment.code.lower()[3:]
    response = kiosk.post(f"/api/branches/{branch.code}/check-in/", {"code": typed})
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().channel == "appointment"

    unknown = kiosk.post(f"/api/branches/{branch.code}/check-in/", {"code": "ZZZZZZ"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_check_in_code")


def test_anyone_else_cannot_check_in_by_code(api, wealth, branch):
    other = factories.make_branch("ST-JP02")
    _, key = kiosk_register(branch=other, name="Lobby 1")
    foreign_kiosk = APIClient(headers={"Authorization": f"Kiosk {key}"})
    assert (
        foreign_kiosk.post(f"/api/branches/{branch.code}/check-in/", {"code": "X"}).status_code
        == 403
    )
    assert api.post(f"/api/branches/{branch.code}/check-in/", {"code": "X"}).status_code in (
        401,
        403,
    )


def test_the_calendar_file_and_the_qr_card_download(api, wealth):
    token = book(api, at(TOMORROW, 9)).json()["token"]
    ics = api.get(f"/api/appointments/{token}/calendar.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]
    event = next(iter(Calendar.from_ical(ics.content).walk("VEVENT")))
    assert event.decoded("DTSTART") == at(TOMORROW, 9)
    assert f"/a/{token}/" in str(event["URL"])
    png = api.get(f"/api/appointments/{token}/qr.png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_a_calendar_client_asking_for_text_calendar_gets_the_file(api, wealth):
    token = book(api, at(TOMORROW, 9)).json()["token"]
    ics = api.get(f"/api/appointments/{token}/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert (ics.status_code, ics["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert b"BEGIN:VCALENDAR" in ics.content
    png = api.get(f"/api/appointments/{token}/qr.png", HTTP_ACCEPT="image/png")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")


def test_a_calendar_client_asking_for_an_unknown_appointment_is_told_so_in_json(api, wealth):
    missing = api.get("/api/appointments/nothing-here/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert missing.json()["code"] == "not_found"


# Reserved cash ------------------------------------------------------------------------------


def test_only_head_office_reads_the_reserved_cash(api, branch):
    large_cash = factories.make_service(branch, "A", appointment_capacity=2, reserves_cash=True)
    services.appointment_book(
        service=large_cash,
        start=at(TOMORROW, 9),
        phone="13812345678",
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
    )
    head_office = APIClient()
    head_office.force_authenticate(factories.make_head_office())
    response = head_office.get("/api/reserved-cash/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "branch": "GZ-TH01",
            "branch_name": "Tianhe Sub-branch",
            "currency": "CNY",
            "total": "80000.00",
            "appointments": 1,
        }
    ]
    assert head_office.get("/api/reserved-cash/?date=2026-12-03").json() == []
    assert head_office.get("/api/reserved-cash/?date=soon").json()["code"] == "invalid_date"
    for day in ("2026-02-30", "0000-01-01", "2026-13-01", "2026-1-5", "20261203"):
        refused = head_office.get(f"/api/reserved-cash/?date={day}")
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_date"), day

    teller = APIClient()
    teller.force_authenticate(factories.make_staff(branch))
    assert teller.get("/api/reserved-cash/").status_code == 403
    assert api.get("/api/reserved-cash/").status_code == 401


# Abuse limits -------------------------------------------------------------------------------


def test_a_phone_over_its_daily_bookings_is_told_when_to_try_again(api, wealth, settings):
    settings.BOOKINGS_PER_PHONE_PER_DAY = 2
    token = book(api, at(TOMORROW, 9)).json()["token"]
    api.post(f"/api/appointments/{token}/cancel/")
    assert book(api, at(TOMORROW, 10)).status_code == 201
    refused = book(api, at(TOMORROW + timedelta(days=1), 9))
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    window_ends = datetime(2026, 12, 2, tzinfo=ZoneInfo("UTC"))  # days are counted in UTC
    assert int(refused["Retry-After"]) == int((window_ends - NOW).total_seconds())
    assert Appointment.objects.filter(status="booked").count() == 1


def test_a_network_over_its_remote_tickets_is_refused_but_kiosks_are_not(api, branch, settings):
    settings.REMOTE_TICKETS_PER_ADDRESS_PER_HOUR = 2
    factories.make_service(branch, "A")
    take = lambda client: client.post("/api/tickets/", {"branch": "GZ-TH01", "service": "A"})  # noqa: E731
    assert [take(api).status_code for _ in range(3)] == [201, 201, 429]
    _, key = kiosk_register(branch=branch, name="Lobby 1")
    assert take(APIClient(headers={"Authorization": f"Kiosk {key}"})).status_code == 201
    assert take(APIClient(REMOTE_ADDR="10.0.0.9")).status_code == 201


def test_a_remote_ticket_that_could_not_be_taken_does_not_count(api, settings):
    settings.REMOTE_TICKETS_PER_PHONE_PER_HOUR = 1
    settings.ONE_WAITING_TICKET_PER_PHONE = False  # the hourly limit alone, here
    closed = factories.make_branch(hours=(time(13), time(17)))
    factories.make_service(closed, "A")
    take = {"branch": "GZ-TH01", "service": "A", "phone": "13812345678"}
    assert api.post("/api/tickets/", take).json()["code"] == "branch_closed"
    with time_machine.travel(at(TODAY, 14), tick=False):
        assert api.post("/api/tickets/", take).status_code == 201
        assert api.post("/api/tickets/", take).status_code == 429


# Pre-queue ----------------------------------------------------------------------------------


@pytest.fixture
def guangzhou_branches(branch):
    """Tianhe with a long cash queue, Zhujiang New Town (2 km) short, Panyu (17 km) shorter
    but further, Baiyun closed, and Foshan (another city) empty."""
    made = {"GZ-TH01": branch}
    for code, lat, lng, hours in [
        ("GZ-ZJ01", "23.120", "113.330", (time(9), time(17))),
        ("GZ-PY01", "22.990", "113.380", (time(9), time(17))),
        ("GZ-BY01", "23.160", "113.270", (time(13), time(17))),
    ]:
        made[code] = factories.make_branch(
            code, latitude=lat, longitude=lng, hours=hours, weekdays=range(6)
        )
    made["FS-CC01"] = factories.make_branch(
        "FS-CC01", city_zh="佛山", city_en="Foshan", latitude="23.021", longitude="113.121"
    )
    queues = {
        code: factories.make_service(b, "A", overtime_threshold_minutes=20)
        for code, b in made.items()
    }
    for code, waiting in [("GZ-TH01", 10), ("GZ-ZJ01", 3), ("GZ-PY01", 1)]:
        factories.make_counter(made[code], 1, [queues[code]])
        factories.issue(queues[code], waiting)
    return made


def test_a_long_wait_offers_the_nearest_open_branches_of_the_city_with_shorter_waits(
    api, guangzhou_branches
):
    body = api.get("/api/branches/GZ-TH01/alternatives/?service=A").json()
    assert body["estimated_wait_minutes"] == 50
    assert body["over_threshold"] is True
    assert [(a["code"], a["estimated_wait_minutes"]) for a in body["alternatives"]] == [
        ("GZ-ZJ01", 15),
        ("GZ-PY01", 5),
    ]
    assert body["alternatives"][0]["distance_km"] == pytest.approx(1.9, abs=0.2)


def test_a_short_wait_offers_nothing(api, guangzhou_branches):
    body = api.get("/api/branches/GZ-ZJ01/alternatives/?service=A").json()
    assert (body["over_threshold"], body["alternatives"]) == (False, [])


def test_a_waiting_customer_near_the_front_is_not_sent_elsewhere(api, guangzhou_branches):
    front, back = Ticket.objects.filter(branch__code="GZ-TH01").order_by("issued_at", "pk")[::9]
    near = api.get(f"/api/tickets/{front.token}/alternatives/").json()
    far = api.get(f"/api/tickets/{back.token}/alternatives/").json()
    assert (near["estimated_wait_minutes"], near["alternatives"]) == (0, [])
    assert far["over_threshold"] is True
    assert far["alternatives"][0]["code"] == "GZ-ZJ01"


def test_alternatives_for_an_unknown_service_are_a_404(api, guangzhou_branches):
    assert api.get("/api/branches/GZ-TH01/alternatives/?service=Q").status_code == 404
