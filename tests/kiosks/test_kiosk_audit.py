"""Kiosks in the audit trail: what a kiosk does is filed under its name, and what head office
does to a kiosk (registering it, rotating its key, switching it off) under head office's, never
with the key or its hash."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from branchsite.infra.models import AuditEntry
from kiosks.models import Kiosk
from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db

TEN = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def at_ten():
    with time_machine.travel(TEN, tick=False):
        yield


def who_where_when(entry: AuditEntry) -> tuple:
    return (entry.actor, entry.actor_name, entry.device, entry.address, entry.branch, entry.at)


def as_kiosk(key: str) -> APIClient:
    return APIClient(headers={"Authorization": f"Kiosk {key}"})


def test_a_kiosk_printing_a_ticket_is_in_the_trail_under_the_kiosks_name(branch, cash):
    kiosk, key = kiosk_register(branch=branch, name="Lobby 1")
    response = as_kiosk(key).post(
        "/api/tickets/", {"branch": branch.code, "service": "A"}, format="json"
    )
    assert response.status_code == 201

    issued = AuditEntry.objects.get(action="ticket.issued")
    ticket = Ticket.objects.get()
    assert who_where_when(issued) == (
        None,
        "",
        f"kiosk #{kiosk.pk} GZ-TH01 Lobby 1",
        "127.0.0.1",
        "GZ-TH01",
        TEN,
    )
    assert (issued.subject_id, issued.before, issued.after) == (
        str(ticket.pk),
        None,
        {"status": "waiting", "service": cash.pk, "channel": "kiosk"},
    )


def test_a_kiosk_of_another_branch_is_refused_and_leaves_no_entry(branch, cash):
    other = factories.make_branch("ST-JP02")
    _, key = kiosk_register(branch=other, name="Lobby 1")
    response = as_kiosk(key).post(
        "/api/tickets/", {"branch": branch.code, "service": "A"}, format="json"
    )
    assert response.status_code == 403
    own = factories.make_service(other, "A")
    response = as_kiosk(key).post(
        "/api/tickets/", {"branch": other.code, "service": "A"}, format="json"
    )
    assert response.status_code == 201
    issued = AuditEntry.objects.get(action="ticket.issued")
    assert (issued.branch, issued.after["service"]) == ("ST-JP02", own.pk)


def test_a_kiosk_checking_an_appointment_in_is_in_the_trail_under_the_kiosks_name(branch):
    wealth = factories.make_service(branch, "C", appointment_capacity=2)
    appointment = services.appointment_book(
        service=wealth, start=TEN.replace(minute=30), phone="13812345678"
    )
    kiosk, key = kiosk_register(branch=branch, name="Lobby 1")
    response = as_kiosk(key).post(
        f"/api/branches/{branch.code}/check-in/", {"code": appointment.code}
    )
    assert response.status_code == 201, response.json()

    checked_in = AuditEntry.objects.get(action="appointment.checked_in")
    assert who_where_when(checked_in) == (
        None,
        "",
        f"kiosk #{kiosk.pk} GZ-TH01 Lobby 1",
        "127.0.0.1",
        "GZ-TH01",
        TEN,
    )
    assert checked_in.subject_id == str(appointment.pk)


def test_head_office_registering_a_kiosk_is_in_the_trail_without_its_key(
    head_office, head_office_user, branch
):
    response = head_office.post(
        reverse("admin:kiosks_kiosk_add"), {"branch": branch.pk, "name": "Lobby 2"}
    )
    assert response.status_code == 302

    kiosk = Kiosk.objects.get()
    registered = AuditEntry.objects.get()
    assert registered.action == "kiosk.registered"
    assert who_where_when(registered) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (registered.subject_id, registered.before, registered.after) == (
        str(kiosk.pk),
        None,
        {"branch": branch.pk, "name": "Lobby 2", "is_active": True, "key_hint": kiosk.key_hint},
    )


def test_head_office_rotating_a_kiosks_key_is_in_the_trail_by_the_keys_first_letters_only(
    head_office, head_office_user, branch
):
    kiosk, old_key = kiosk_register(branch=branch, name="Lobby 1")
    response = head_office.post(
        reverse("admin:kiosks_kiosk_changelist"),
        {"action": "rotate_key", admin.helpers.ACTION_CHECKBOX_NAME: [kiosk.pk]},
    )
    assert response.status_code == 302

    kiosk.refresh_from_db()
    rotated = AuditEntry.objects.get(action="kiosk.key_rotated")
    assert who_where_when(rotated) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (rotated.before, rotated.after) == (
        {"key_hint": old_key[:8]},
        {"key_hint": kiosk.key_hint},
    )
    assert kiosk.key_hash not in str(rotated.after)


def test_head_office_switching_a_kiosk_off_and_renaming_it_is_in_the_trail(
    head_office, head_office_user, branch
):
    kiosk, _ = kiosk_register(branch=branch, name="Lobby 1")
    response = head_office.post(
        reverse("admin:kiosks_kiosk_change", args=[kiosk.pk]),
        {"branch": branch.pk, "name": "Lobby 1 (old)"},
    )
    assert response.status_code == 302

    changed = AuditEntry.objects.get(action="kiosk.changed")
    assert who_where_when(changed) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (changed.before, changed.after) == (
        {"name": "Lobby 1", "is_active": True},
        {"name": "Lobby 1 (old)", "is_active": False},
    )
