"""Head office's Django admin: every page opens, tickets are read-only, kiosk keys show once."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from branchsite.infra.models import IdempotencyKey
from kiosks.models import Kiosk, hash_device_key
from kiosks.services import kiosk_register
from queueing import services
from queueing.models import (
    Appointment,
    Counter,
    StaffMembership,
    Ticket,
    TicketEvent,
)
from tests import factories

pytestmark = pytest.mark.django_db

KEY = re.compile(r"\bk_[A-Za-z0-9_-]{40,}")


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def take_ticket(api, key: str, service: str = "A"):
    return api.post(
        "/api/tickets/",
        {"branch": "GZ-TH01", "service": service},
        format="json",
        HTTP_AUTHORIZATION=f"Kiosk {key}",
    )


def resubmit(page, **changes) -> dict:
    """The POST a browser sends for an unchanged admin change page, with `changes` applied."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def lobby(branch, cash, non_cash, counter, teller, api):
    """A branch with a day's worth of everything the admin shows."""
    counter.teller = teller
    counter.save()
    served, transferred, _ = factories.issue(cash, 3)
    services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_start(ticket=served, actor=teller)
    services.ticket_finish(ticket=served, actor=teller)
    services.ticket_transfer(ticket=transferred, to_service=non_cash, actor=teller)
    kiosk_register(branch=branch, name="Lobby 1")
    response = api.post(
        "/api/tickets/",
        {"branch": branch.code, "service": "B"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry-1",
    )
    assert response.status_code == 201
    large_cash = factories.make_service(branch, "C", appointment_capacity=2, reserves_cash=True)
    tomorrow = branch.business_day(timezone.now()) + timedelta(days=1)
    services.appointment_book(
        service=large_cash,
        start=datetime.combine(tomorrow, time(10), tzinfo=branch.zone),
        phone="13812345678",
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
    )
    Token.objects.create(user=teller)
    Group.objects.create(name="Auditors")
    factories.make_head_office("auditor")
    # The sign-in's records: a sign-in, a wrong password since, an authenticator app.
    Client().post(
        "/accounts/login/", {"username": teller.username, "password": "pw-for-tests-only"}
    )
    Client().post("/accounts/login/", {"username": teller.username, "password": "guess"})
    factories.make_totp_device(teller)
    return branch


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_admin_list_and_record_page_opens(head_office, lobby, model):
    assert head_office.get(url(model, "changelist")).status_code == 200
    record = model._default_manager.first()
    assert record is not None, "the fixture should give every admin a record to show"
    assert head_office.get(url(model, "change", record.pk)).status_code == 200


def test_every_model_of_the_project_is_in_the_admin():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "queueing.Branch",
        "queueing.Service",
        "queueing.Counter",
        "queueing.Ticket",
        "queueing.TicketEvent",
        "queueing.StaffMembership",
        "infra.IdempotencyKey",
        "queueing.Appointment",
        "queueing.AppointmentSlot",
        "infra.RateLimitWindow",
        "infra.AuditEntry",
        "kiosks.Kiosk",
        "auth.User",
    } <= registered


def test_tickets_are_found_by_number(head_office, lobby):
    response = head_office.get(url(Ticket, "changelist"), {"q": "A003"})
    assert [t.number for t in response.context["cl"].result_list] == ["A003"]
    assert "A003" in response.text and "A001" not in response.text


def test_a_ticket_is_found_by_the_token_a_customer_quotes(head_office, lobby):
    ticket = Ticket.objects.get(number="A001")
    response = head_office.get(url(Ticket, "changelist"), {"q": ticket.token})
    assert list(response.context["cl"].result_list) == [ticket]
    # Found, but not shown: whoever holds the token acts as the customer.
    assert ticket.token not in head_office.get(url(Ticket, "change", ticket.pk)).text


def test_a_ticket_page_shows_its_history_and_changes_nothing(head_office, lobby):
    ticket = Ticket.objects.get(number="A001")
    page = head_office.get(url(Ticket, "change", ticket.pk))
    assert page.status_code == 200
    history = re.findall(r'class="field-action">\s*<p>(\w+)</p>', page.text)
    assert history == ["issued", "called", "started", "finished"]
    assert 'name="status"' not in page.text
    assert "Add ticket" not in head_office.get(url(Ticket, "changelist")).text

    assert head_office.get(url(Ticket, "add")).status_code == 403
    response = head_office.post(url(Ticket, "change", ticket.pk), {"status": "waiting"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "done"
    assert head_office.post(url(Ticket, "delete", ticket.pk), {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_transferred_ticket_links_to_its_successor(head_office, lobby):
    original = Ticket.objects.get(number="A002", transferred_from__isnull=True)
    successor = Ticket.objects.get(transferred_from=original)
    page = head_office.get(url(Ticket, "change", original.pk))
    assert url(Ticket, "change", successor.pk) in page.text


def test_history_and_idempotency_records_cannot_be_edited(head_office, lobby):
    event = TicketEvent.objects.first()
    assert head_office.get(url(TicketEvent, "add")).status_code == 403
    assert head_office.post(url(TicketEvent, "change", event.pk), {"note": "x"}).status_code == 403
    record = IdempotencyKey.objects.get()
    page = head_office.get(url(IdempotencyKey, "change", record.pk))
    # The stored answer carries the customer's token; the admin lists keys only.
    assert record.response_body["token"] not in page.text
    assert head_office.get(url(IdempotencyKey, "add")).status_code == 403


@pytest.mark.parametrize(
    "model", [Ticket, TicketEvent, Counter, StaffMembership, Kiosk, Appointment]
)
def test_a_list_page_costs_the_same_queries_for_few_or_many_rows(head_office, branch, model):
    cash = factories.make_service(branch, "A")

    def add_rows(count: int) -> None:
        for _ in range(count):
            number = Counter.objects.count() + 1
            teller = factories.make_staff(branch)
            counter = factories.make_counter(branch, number, [cash], teller=teller)
            factories.issue(cash)
            services.ticket_call_next(counter=counter, actor=teller)
            kiosk_register(branch=branch, name=f"Lobby {number}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert head_office.get(url(model, "changelist")).status_code == 200
        return len(captured)

    add_rows(2)
    few = queries()
    add_rows(6)
    assert queries() == few


def test_a_counter_of_the_branch_page_offers_only_the_branchs_services(head_office, lobby):
    other = factories.make_branch("ST-JP02")
    factories.make_service(other, "C", name_en="Jinping wealth desk")
    page = head_office.get(url(type(lobby), "change", lobby.pk))
    assert page.status_code == 200
    assert "Non-cash" in page.text
    assert "Jinping wealth desk" not in page.text


def test_head_office_changes_a_counter_from_its_branch_page(head_office, lobby, non_cash):
    page = head_office.get(url(type(lobby), "change", lobby.pk))
    prefix = page.context["inline_admin_formsets"][2].formset.prefix
    response = head_office.post(
        url(type(lobby), "change", lobby.pk),
        resubmit(page, **{f"{prefix}-0-services": [non_cash.pk], f"{prefix}-0-is_open": None}),
    )
    assert response.status_code == 302, response.context["errors"]
    counter = lobby.counters.get(number=1)
    assert (list(counter.services.all()), counter.is_open) == ([non_cash], False)


def test_one_teller_for_two_counters_is_refused_on_the_branch_page(
    head_office, lobby, cash, teller
):
    lobby.counters.update(teller=None)
    factories.make_counter(lobby, 2, [cash])
    page = head_office.get(url(type(lobby), "change", lobby.pk))
    prefix = page.context["inline_admin_formsets"][2].formset.prefix
    both = {f"{prefix}-0-teller": teller.pk, f"{prefix}-1-teller": teller.pk}
    response = head_office.post(url(type(lobby), "change", lobby.pk), resubmit(page, **both))
    assert response.status_code == 200
    assert "This teller already staffs another counter." in response.text
    assert not lobby.counters.filter(teller__isnull=False).exists()

    # Already at counter 1 in the database, the teller cannot be given counter 2 as well.
    lobby.counters.filter(number=1).update(teller=teller)
    page = head_office.get(url(type(lobby), "change", lobby.pk))
    response = head_office.post(
        url(type(lobby), "change", lobby.pk), resubmit(page, **{f"{prefix}-1-teller": teller.pk})
    )
    assert response.status_code == 200
    assert "Please correct the error" in response.text
    assert list(Counter.objects.filter(teller=teller).values_list("number", flat=True)) == [1]


def test_a_counter_cannot_serve_another_branchs_service(head_office, branch, cash):
    other = factories.make_branch("ST-JP02")
    foreign = factories.make_service(other, "A")
    response = head_office.post(
        url(Counter, "add"),
        {"branch": branch.pk, "number": 2, "services": [cash.pk, foreign.pk], "is_open": "on"},
    )
    assert response.status_code == 200
    assert "Choose services of GZ-TH01 only" in response.text
    assert not Counter.objects.exists()


def test_a_counter_is_staffed_only_by_staff_of_its_branch(head_office, branch, cash):
    stranger = factories.make_staff(factories.make_branch("ST-JP02"), username="stranger")
    response = head_office.post(
        url(Counter, "add"),
        {"branch": branch.pk, "number": 2, "services": [cash.pk], "teller": stranger.pk},
    )
    assert "stranger is not staff of GZ-TH01" in response.text
    assert not Counter.objects.exists()


def test_a_users_page_shows_and_edits_their_branch_memberships(head_office, teller, branch):
    page = head_office.get(url(type(teller), "change", teller.pk))
    assert page.status_code == 200
    assert "Staff memberships" in page.text
    assert "GZ-TH01" in page.text


def test_adding_a_kiosk_shows_its_key_once_and_stores_only_the_hash(head_office, branch, cash, api):
    response = head_office.post(
        url(Kiosk, "add"), {"branch": branch.pk, "name": "Lobby 2"}, follow=True
    )
    assert response.status_code == 200
    shown = [key for message in messages_of(response) for key in KEY.findall(message)]
    assert len(shown) == 1
    key = shown[0]

    kiosk = Kiosk.objects.get(name="Lobby 2")
    assert kiosk.key_hash == hash_device_key(key)
    assert key not in {kiosk.key_hash, kiosk.key_hint, kiosk.name}
    assert all(key not in entry.change_message for entry in LogEntry.objects.all())
    # Once: the next page no longer shows it, and the kiosk's own page never did.
    assert key not in head_office.get(url(Kiosk, "changelist")).text
    page = head_office.get(url(Kiosk, "change", kiosk.pk)).text
    assert key not in page and kiosk.key_hash not in page
    assert kiosk.key_hint in page

    assert take_ticket(api, key).status_code == 201


def test_a_second_kiosk_with_the_same_name_is_refused_on_the_form(head_office, branch):
    kiosk_register(branch=branch, name="Lobby 1")
    response = head_office.post(url(Kiosk, "add"), {"branch": branch.pk, "name": "Lobby 1"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Kiosk.objects.count() == 1


def test_rotating_a_key_shows_the_new_key_once_and_the_old_key_stops_working(
    head_office, branch, cash, api
):
    kiosk, old_key = kiosk_register(branch=branch, name="Lobby 1")
    assert take_ticket(api, old_key).status_code == 201

    response = head_office.post(
        url(Kiosk, "changelist"),
        {"action": "rotate_key", admin.helpers.ACTION_CHECKBOX_NAME: [kiosk.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [key for message in messages_of(response) for key in KEY.findall(message)]
    assert len(shown) == 1 and shown[0] != old_key
    new_key = shown[0]

    refused = take_ticket(api, old_key)
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    assert take_ticket(api, new_key).status_code == 201
    assert new_key not in head_office.get(url(Kiosk, "changelist")).text
    kiosk.refresh_from_db()
    assert kiosk.key_hash == hash_device_key(new_key)


def test_head_office_reads_tomorrows_reserved_cash_and_finds_the_appointments(head_office, lobby):
    page = head_office.get(reverse("admin:queueing_appointment_reserved_cash"))
    assert page.status_code == 200
    assert "80,000.00" in page.text
    appointments = head_office.get(url(Appointment, "changelist"))
    assert reverse("admin:queueing_appointment_reserved_cash") in appointments.text
    assert "80,000.00 CNY" in appointments.text


@pytest.mark.parametrize("day", ["2026-02-30", "0000-01-01", "tomorrow"])
def test_a_day_that_does_not_exist_in_the_reserved_cash_page_is_said_so(head_office, lobby, day):
    page = head_office.get(
        reverse("admin:queueing_appointment_reserved_cash"), {"date": day}, follow=True
    )
    assert page.status_code == 200
    assert "date must be a day that exists, as YYYY-MM-DD." in messages_of(page)
    assert "80,000.00" in page.text  # tomorrow's, as the page says


def test_cancelling_appointments_in_the_admin_frees_their_places(head_office, lobby):
    appointment = Appointment.objects.get()
    response = head_office.post(
        url(Appointment, "changelist"),
        {"action": "cancel_appointments", "_selected_action": [appointment.pk]},
        follow=True,
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.slot.booked == 0
