"""`manage.py seed_demo`: a demo that logs in, has a busy lobby, and can be seeded again safely."""

import base64
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiosks.models import Kiosk
from queueing import selectors
from queueing.models import (
    Appointment,
    Branch,
    Counter,
    OpeningHours,
    Service,
    StaffMembership,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "demo-pass-2026"
# A Wednesday morning, while every branch keeps bank hours.
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 30, tzinfo=SHANGHAI)
WEDNESDAY_NIGHT = datetime(2026, 3, 4, 3, 0, tzinfo=SHANGHAI)
KEY = re.compile(r"\bk_[A-Za-z0-9_-]{40,}")


@pytest.fixture(autouse=True)
def _development(settings):
    # Demo data is for development machines; the test run itself has DEBUG off.
    settings.DEBUG = True


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def signs_in(username: str, password: str = PASSWORD) -> bool:
    """The staff sign-in form takes the password (and sends on to the landing page)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/staff/"


def row_counts() -> dict[str, int]:
    models = [
        Branch,
        OpeningHours,
        Service,
        Counter,
        Counter.services.through,
        get_user_model(),
        StaffMembership,
        Kiosk,
        Ticket,
        TicketEvent,
        TicketSequence,
        Appointment,
        TOTPDevice,
    ]
    return {model._meta.label: model.objects.count() for model in models}


@pytest.fixture
def seeded():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        yield seed("--always-open")


def test_seed_demo_twice_creates_nothing_new(seeded):
    first = row_counts()
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        output = seed("--always-open")
    assert row_counts() == first
    assert "none created this run" in output
    assert "has tickets today already" in output


def test_the_demo_has_six_active_branches_or_more_in_guangzhou_foshan_and_shantou(seeded):
    branches = Branch.objects.filter(is_active=True)
    assert branches.count() >= 6
    assert set(branches.values_list("city_zh", flat=True)) == {"广州", "佛山", "汕头"}
    assert {"GZ-TH01", "FS-CC01", "ST-LH01"} <= set(branches.values_list("code", flat=True))
    for branch in branches:
        assert branch.time_zone == "Asia/Shanghai"
        assert branch.name_zh and branch.name_en and branch.address_zh and branch.address_en
        assert 22.5 < branch.latitude < 23.6 and 112.9 < branch.longitude < 116.9


def test_each_branch_has_the_five_queues_each_served_by_a_staffed_counter(seeded):
    for branch in Branch.objects.all():
        prefixes = set(branch.services.values_list("prefix", flat=True))
        assert prefixes == {"A", "B", "C", "D", "V"}, branch.code
        assert 3 <= branch.counters.count() <= 5
        assert not branch.counters.filter(is_open=True, teller=None).exists(), branch.code
        (found,) = selectors.branches_with_waits(code=branch.code)
        for queue in found.services:
            assert queue.open_counters >= 1, (branch.code, queue.service.prefix)


def test_the_demo_priority_queue_is_called_first_and_taken_in_the_branch_only(seeded):
    for branch in Branch.objects.all():
        priority = branch.services.get(prefix="V")
        assert priority.is_priority and not priority.takes_appointments, branch.code
        assert not priority.tickets.exclude(channel="kiosk").exists(), branch.code


def test_with_always_open_every_branch_is_open_in_the_middle_of_the_night(seeded):
    for branch in Branch.objects.all():
        assert selectors.branch_is_open(branch=branch, at=WEDNESDAY_NIGHT)


def test_each_teller_and_lobby_manager_logs_in_and_acts_for_their_branch_only(seeded):
    branches = list(Branch.objects.all())
    for branch in branches:
        code = branch.code.lower()
        for username, role in [
            (f"teller-{code}", StaffMembership.Role.TELLER),
            (f"lobby-{code}", StaffMembership.Role.LOBBY_MANAGER),
        ]:
            assert signs_in(username), username
            user = get_user_model().objects.get(username=username)
            assert list(user.memberships.values_list("branch__code", "role")) == [
                (branch.code, role)
            ]
            assert not user.is_superuser
            assert [b.code for b in branches if selectors.user_may_act_for_branch(user, b)] == [
                branch.code
            ]
        assert branch.counters.get(number=1).teller.username == f"teller-{code}"


def test_the_admin_is_a_head_office_superuser_who_opens_the_django_admin(seeded):
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert list(admin.memberships.values_list("branch", "role")) == [(None, "head_office")]
    client = Client()
    response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert response["Location"] == "/accounts/login/code/"
    # The code of an authenticator app set up with the key the output printed.
    key = re.search(r"^\s+key\s+([A-Z2-7 ]+)$", seeded, re.M).group(1).replace(" ", "")
    code = TOTP(base64.b32decode(key)).token()
    response = client.post("/accounts/login/code/", {"otp_token": f"{code:06d}"})
    assert response.status_code == 302
    assert client.get("/admin/queueing/branch/").status_code == 200


def test_the_printed_command_tells_the_admins_current_code(seeded, settings):
    command = re.search(r"manage\.py (totp_code \w+)", seeded).group(1).split()
    out = StringIO()
    call_command(*command, stdout=out)
    device = TOTPDevice.objects.get(user__username="admin")
    assert out.getvalue().split()[0] == factories.totp_code(device)


def test_a_changed_demo_password_is_reset_by_the_next_run(seeded):
    teller = get_user_model().objects.get(username="teller-gz-th01")
    teller.set_password("something-else")
    teller.save()
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        seed("--always-open")
    assert signs_in("teller-gz-th01")


def test_the_lobby_has_done_and_waiting_tickets_numbered_from_001(seeded):
    for branch in Branch.objects.all():
        tickets = branch.tickets.filter(business_day=WEDNESDAY_MORNING.date())
        statuses = set(tickets.values_list("status", flat=True))
        assert {"done", "waiting"} <= statuses, branch.code
        assert tickets.filter(number="A001", status="done").exists()
        numbers = sorted(tickets.filter(service__prefix="A").values_list("number", flat=True))
        assert numbers == [f"A{n:03d}" for n in range(1, len(numbers) + 1)]
    # Issued through the services: each ticket has its history, and waits look real.
    for ticket in Ticket.objects.all():
        assert ticket.events.first().action == "issued"
        assert ticket.issued_at <= WEDNESDAY_MORNING
    assert Ticket.objects.filter(issued_at__lt=WEDNESDAY_MORNING.replace(minute=10)).exists()


def test_the_output_lists_the_logins_and_the_new_kiosk_keys(seeded):
    assert "demo-pass-2026" in seeded
    for username in ["admin", "teller-gz-th01", "lobby-gz-th01", "teller-st-jp02"]:
        assert re.search(rf"^\s+{username}\s", seeded, re.M), username
    keys = KEY.findall(seeded)
    assert len(keys) == Branch.objects.count() == Kiosk.objects.count()


def test_a_printed_kiosk_key_takes_tickets_at_its_branch(seeded, api):
    line = next(line for line in seeded.splitlines() if "GZ-TH01" in line and KEY.search(line))
    key = KEY.search(line).group()
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        response = api.post(
            "/api/tickets/",
            {"branch": "GZ-TH01", "service": "B"},
            format="json",
            HTTP_AUTHORIZATION=f"Kiosk {key}",
        )
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["number"]) == ("kiosk", "B005")


def test_always_open_gives_a_busy_lobby_just_after_midnight_too():
    just_after_midnight = datetime(2026, 3, 4, 0, 1, tzinfo=SHANGHAI)
    with time_machine.travel(just_after_midnight, tick=False):
        seed("--always-open")
    tickets = Ticket.objects.filter(business_day=just_after_midnight.date())
    assert tickets.filter(status="done").exists() and tickets.filter(status="waiting").exists()
    assert not Ticket.objects.exclude(business_day=just_after_midnight.date()).exists()


def test_at_night_with_bank_hours_it_seeds_everything_but_skips_the_tickets_and_says_so():
    with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
        output = seed()
    assert Branch.objects.count() >= 6
    assert not Ticket.objects.exists()
    assert output.count("demo traffic skipped: the branch is closed now") == Branch.objects.count()
    assert "demo-pass-2026" in output


def test_a_run_without_always_open_restores_bank_hours(seeded):
    with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
        seed()
    branch = Branch.objects.get(code="GZ-TH01")
    hours = {h.weekday: (h.opens, h.closes) for h in branch.opening_hours.all()}
    assert hours[OpeningHours.Weekday.MONDAY] == (time(9, 0), time(17, 0))
    assert hours[OpeningHours.Weekday.SUNDAY] == (time(9, 30), time(16, 0))
    assert not selectors.branch_is_open(branch=branch, at=WEDNESDAY_NIGHT)


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        seed("--always-open")
    assert not Branch.objects.exists()
    seed("--always-open", "--force")
    assert Branch.objects.count() >= 6


def test_customers_can_book_and_tomorrows_cash_is_reserved_at_every_branch(seeded):
    bookable = set(
        Service.objects.filter(appointment_capacity__gt=0).values_list("prefix", flat=True)
    )
    assert bookable == {"B", "C", "D"}
    tomorrow = WEDNESDAY_MORNING.astimezone(selectors.HEAD_OFFICE_ZONE).date() + timedelta(days=1)
    reserved = selectors.reserved_cash(day=tomorrow)
    assert len(reserved) == Branch.objects.count()
    assert {(row.currency, row.total, row.appointments) for row in reserved} == {
        ("CNY", Decimal("140000.00"), 2)
    }


def test_tianhe_has_a_rush_at_the_cash_counters_and_sends_customers_elsewhere(seeded):
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        advice = selectors.pre_queue_advice(branch=Branch.objects.get(code="GZ-TH01"), prefix="A")
    assert advice is not None and advice.over_threshold
    assert advice.alternatives
    assert {a.branch.city_zh for a in advice.alternatives} == {"广州"}
