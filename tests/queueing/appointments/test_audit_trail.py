"""What head office reads in the audit trail about appointments: customers are named by their
address, staff and devices by themselves, the periodic task by nobody. At the fixed moment of
`clock`."""

import pytest
import time_machine
from rest_framework.test import APIClient

from branchsite.infra.models import AuditEntry
from queueing import services
from queueing.models import Appointment, Ticket
from tests import factories

from .clock import NOW, TODAY, TOMORROW, at

pytestmark = pytest.mark.django_db


def book(api, start, phone: str = "13812345678") -> Appointment:
    response = api.post(
        "/api/appointments/",
        {"branch": "GZ-TH01", "service": "C", "start": start.isoformat(), "phone": phone},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Appointment.objects.get(token=response.json()["token"])


def who_where_when(entry: AuditEntry) -> tuple:
    return (entry.actor, entry.actor_name, entry.device, entry.address, entry.branch, entry.at)


def the_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_a_customer_cancelling_their_appointment_is_in_the_trail_by_their_address(api, wealth):
    appointment = book(api, at(TOMORROW, 9))
    assert api.post(f"/api/appointments/{appointment.token}/cancel/").status_code == 200

    cancelled = the_entry("appointment.cancelled")
    assert who_where_when(cancelled) == (None, "", "", "127.0.0.1", "GZ-TH01", NOW)
    assert cancelled.subject_id == str(appointment.pk)
    assert (cancelled.before, cancelled.after) == ({"status": "booked"}, {"status": "cancelled"})


def test_cancelling_an_appointment_twice_is_refused_and_leaves_one_entry(api, wealth):
    appointment = book(api, at(TOMORROW, 9))
    api.post(f"/api/appointments/{appointment.token}/cancel/")
    refused = api.post(f"/api/appointments/{appointment.token}/cancel/")
    assert (refused.status_code, refused.json()["code"]) == (409, "appointment_not_booked")
    assert AuditEntry.objects.filter(action="appointment.cancelled").count() == 1


def test_rescheduling_leaves_the_old_and_the_new_time_in_the_trail(api, wealth):
    appointment = book(api, at(TOMORROW, 9))
    response = api.post(
        f"/api/appointments/{appointment.token}/reschedule/",
        {"start": at(TOMORROW, 14).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()

    moved = the_entry("appointment.rescheduled")
    assert who_where_when(moved) == (None, "", "", "127.0.0.1", "GZ-TH01", NOW)
    assert (moved.before, moved.after) == (
        {"starts_at": "2026-12-02T09:00:00+08:00"},
        {"starts_at": "2026-12-02T14:00:00+08:00"},
    )


def test_rescheduling_into_a_full_slot_is_refused_and_leaves_no_entry(api, wealth):
    book(api, at(TOMORROW, 14), phone="13800000001")
    book(api, at(TOMORROW, 14), phone="13800000002")
    appointment = book(api, at(TOMORROW, 9))
    refused = api.post(
        f"/api/appointments/{appointment.token}/reschedule/",
        {"start": at(TOMORROW, 14).isoformat()},
        format="json",
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "slot_full")
    moved = api.post(
        f"/api/appointments/{appointment.token}/reschedule/",
        {"start": at(TOMORROW, 15).isoformat()},
        format="json",
    )
    assert moved.status_code == 200
    assert [
        entry.after for entry in AuditEntry.objects.filter(action="appointment.rescheduled")
    ] == [{"starts_at": "2026-12-02T15:00:00+08:00"}]


def test_a_customer_checking_in_on_their_own_page_is_in_the_trail_by_their_address(api, wealth):
    appointment = book(api, at(TODAY, 10, 30))
    in_the_lobby = {"presence_code": factories.lobby_code(wealth.branch)}
    check_in = f"/api/appointments/{appointment.token}/check-in/"
    assert api.post(check_in, in_the_lobby, format="json").status_code == 201

    checked_in = the_entry("appointment.checked_in")
    ticket = Ticket.objects.get()
    assert who_where_when(checked_in) == (None, "", "", "127.0.0.1", "GZ-TH01", NOW)
    assert (checked_in.before, checked_in.after) == (
        {"status": "booked", "ticket": None},
        {"status": "checked_in", "ticket": ticket.pk},
    )
    # The customer's own ticket is in its history, not in the staff trail.
    assert not AuditEntry.objects.filter(action="ticket.issued").exists()


def test_a_teller_checking_a_customer_in_by_code_is_in_the_trail_with_the_ticket_issued(
    api, wealth, branch
):
    appointment = book(api, at(TODAY, 10, 30))
    teller = factories.make_staff(branch, role="teller")
    desk = APIClient()
    desk.force_authenticate(teller)
    response = desk.post(f"/api/branches/{branch.code}/check-in/", {"code": appointment.code})
    assert response.status_code == 201, response.json()

    ticket = Ticket.objects.get()
    checked_in, issued = the_entry("appointment.checked_in"), the_entry("ticket.issued")
    for entry in (checked_in, issued):
        assert who_where_when(entry) == (teller, teller.username, "", "127.0.0.1", "GZ-TH01", NOW)
    assert checked_in.after == {"status": "checked_in", "ticket": ticket.pk}
    assert (issued.subject_id, issued.before, issued.after) == (
        str(ticket.pk),
        None,
        {"status": "waiting", "service": wealth.pk, "channel": "appointment"},
    )


def test_checking_in_too_early_is_refused_and_leaves_no_entry(api, wealth):
    appointment = book(api, at(TODAY, 15))
    assert api.post(f"/api/appointments/{appointment.token}/check-in/").status_code == 409
    with time_machine.travel(at(TODAY, 14, 45), tick=False):
        in_the_lobby = {"presence_code": factories.lobby_code(wealth.branch)}
        check_in = f"/api/appointments/{appointment.token}/check-in/"
        assert api.post(check_in, in_the_lobby, format="json").status_code == 201
    assert [entry.at for entry in AuditEntry.objects.filter(action="appointment.checked_in")] == [
        at(TODAY, 14, 45)
    ]


def test_the_periodic_task_marking_appointments_missed_is_in_the_trail_as_nobody(wealth):
    missed = services.appointment_book(service=wealth, start=at(TODAY, 10, 30), phone="13800000001")
    services.appointment_book(service=wealth, start=at(TODAY, 11), phone="13800000002")
    later = at(TODAY, 10, 46)
    assert services.appointments_mark_missed(now=later) == 1
    assert services.appointments_mark_missed(now=later) == 0  # idempotent, and recorded once

    entry = the_entry("appointment.missed")
    assert who_where_when(entry) == (None, "", "", None, "GZ-TH01", later)
    assert entry.subject_id == str(missed.pk)
    assert (entry.before, entry.after) == ({"status": "booked"}, {"status": "missed"})
