"""The ticket page on a phone offers text messages while the ticket waits: a number given, a stop
button once given, nothing once the ticket is called."""

import pytest

from queueing.models import NotificationSubscription, Ticket
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_waiting_customer_asks_for_texts_and_stops_them_again(
    new_page, api_post, in_thread, screenshot, console_errors, cash, counter, teller
):
    console_errors.expect(r"/notifications/: .* 400 ")  # the malformed number, refused
    ahead, mine = in_thread(factories.issue, cash, 2)
    phone = new_page(**PHONE)
    phone.goto(f"/t/{mine.token}/")
    expect(phone.locator("body")).to_have_attribute("data-live", "live")
    texts = phone.get_by_role("region", name="Text me when I'm near the front")
    expect(texts).to_be_visible()
    screenshot(phone, "texts-offered")

    texts.get_by_role("button", name="Text me").tap()
    expect(phone.locator("#notify-error")).to_have_text("Enter your mobile number.")
    texts.get_by_label("Mobile number").fill("12345")
    texts.get_by_role("button", name="Text me").tap()
    expect(phone.locator("#notify-error")).to_contain_text("Enter a mobile number")
    texts.get_by_label("Mobile number").fill("138 1234 5678")
    texts.get_by_role("button", name="Text me").tap()
    expect(texts).to_contain_text(
        "We will text 138****5678 when you are near the front and when you are called."
    )
    expect(phone.locator("#notify-error")).to_be_hidden()
    assert in_thread(lambda: NotificationSubscription.objects.get().phone) == "13812345678"
    screenshot(phone, "texts-on")

    texts.get_by_role("button", name="Stop the texts").tap()
    expect(texts.get_by_role("button", name="Text me")).to_be_visible()
    assert in_thread(lambda: NotificationSubscription.objects.get().is_active) is False

    api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    for step in ("start", "finish"):
        api_post(f"/api/tickets/{ahead.token}/{step}/", user=teller)
    api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    expect(phone.get_by_role("alertdialog", name="It is your turn")).to_be_visible()
    expect(texts).to_be_hidden()  # only while waiting
    assert in_thread(lambda: Ticket.objects.get(pk=mine.pk).status) == "called"
