"""Checking in from the phone proves the customer is in the lobby: they type the code the wall
screen shows. Then the ticket page asks nothing about the journey."""

from datetime import timedelta

import pytest
from django.utils import timezone

from queueing import selectors, services
from queueing.models import Appointment
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WALL = {"viewport": {"width": 1920, "height": 1080}}


def test_a_customer_checks_in_with_the_code_on_the_wall_screen(
    new_page, in_thread, screenshot, console_errors, branch
):
    console_errors.expect(r"/check-in/: .* 403")  # the wrong code, refused as it should be
    # Ten-minute slots: whatever the hour, one of them is open for check-in now.
    wealth = in_thread(
        factories.make_service,
        branch,
        "C",
        name_en="Wealth",
        appointment_capacity=2,
        appointment_slot_minutes=10,
    )
    now = timezone.now()
    today = branch.business_day(now)
    slot = next(
        start
        for day in (today, today + timedelta(days=1))
        for start in selectors.slot_starts(service=wealth, day=day)
        if now < start <= now + timedelta(minutes=30)
    )
    booked = in_thread(services.appointment_book, service=wealth, start=slot, phone="13812345678")

    screen = new_page(**WALL)
    screen.goto("/screens/GZ-TH01/")
    shown = screen.locator("#presence-code")
    expect(shown).to_have_text(factories.lobby_code(branch))
    code = shown.inner_text()
    screenshot(screen, "wall")

    phone = new_page(**PHONE)
    phone.goto(f"/a/{booked.token}/")
    field = phone.get_by_label("Code on the lobby screen")
    expect(field).to_be_visible()
    field.fill("0000" if code != "0000" else "1111")
    phone.get_by_role("button", name="Check in now").tap()
    error = phone.locator("#presence-error")
    expect(error).to_contain_text("not the code on the lobby screen")
    box = error.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844
    assert Appointment.objects.get().status == "booked"
    screenshot(phone, "wrong-code")

    field.fill(code)
    phone.get_by_role("button", name="Check in now").tap()
    expect(phone.locator("#ticket-number")).to_have_text("C001")
    assert Appointment.objects.get().status == "checked_in"
    # In the lobby already: no travel time to ask for.
    expect(phone.locator("#travel")).to_be_hidden()
    screenshot(phone, "checked-in")
