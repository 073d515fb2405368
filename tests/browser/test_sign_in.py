"""Chromium: head office signs in through the one staff form, sets up an authenticator app from
its QR code on the way, and reaches the admin; a teller's sign-in asks for the code once they
have one; too many wrong passwords show the lockout page. No page breaks the site's policies."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from queueing.models import StaffMembership
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PASSWORD = "pw-for-tests-only"


def make_head_office():
    user = factories.make_user("head", is_staff=True, is_superuser=True)
    StaffMembership.objects.create(user=user, role=StaffMembership.Role.HEAD_OFFICE)
    return user


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_head_office_sets_up_an_authenticator_from_its_qr_code_and_reaches_the_admin(
    server, new_page, in_thread, screenshot
):
    in_thread(make_head_office)
    page = new_page(**DESKTOP)
    page.goto("/admin/queueing/branch/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/queueing/branch/$"))
    screenshot(page, "login")
    sign_in(page, "head")

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/$"))
    qr = page.locator("img.two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") >= 150, "the QR code did not load"
    screenshot(page, "enrol")
    secret = page.locator(".two-factor-secret").inner_text().replace(" ", "")
    code = TOTP(b32decode(secret)).token()
    page.fill("#id_otp_token", f"{code:06d}")
    page.click("button[type=submit]")

    expect(page).to_have_url(re.compile(r"/admin/queueing/branch/$"))
    expect(page.locator("#content h1")).to_be_visible()


def test_an_enrolled_teller_enters_the_code_after_the_password(
    server, new_page, in_thread, screenshot, branch, counter
):
    teller = in_thread(factories.make_staff, branch, username="teller")
    device = in_thread(factories.make_totp_device, teller)
    page = new_page(**DESKTOP)
    page.goto("/accounts/login/")
    sign_in(page, "teller")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    field = page.locator("#id_otp_token")
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    page.fill("#id_otp_token", "000000")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("That code is not right")
    screenshot(page, "wrong-code")

    page.wait_for_timeout(1100)  # the back-off after a wrong code
    page.fill("#id_otp_token", in_thread(factories.totp_code, device))
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/lobby/GZ-TH01/$"))


def test_the_lockout_page_says_when_to_try_again(
    server, new_page, in_thread, screenshot, console_errors, branch
):
    console_errors.expect(r"status of 429 \(Too Many Requests\)")  # the lockout page's own
    in_thread(factories.make_staff, branch, username="teller")
    page = new_page(**DESKTOP, locale="zh-CN")
    for _ in range(5):
        page.goto("/accounts/login/")
        sign_in(page, "teller", "guess")
    page.goto("/accounts/login/")
    sign_in(page, "teller")
    expect(page.locator("[role=alert]")).to_contain_text("分钟后再试")
    screenshot(page, "locked")
