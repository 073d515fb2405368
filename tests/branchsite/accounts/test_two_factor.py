"""The second factor on the sign-in form: head office (and any staff member who enrolled an
authenticator app) enters a code after the password; head office without one enrols before it
reaches anything; guessing codes is stopped."""

from base64 import b32encode
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

from .conftest import enter_code, sign_in

pytestmark = pytest.mark.django_db

CODE_STEP = "/accounts/login/code/"
ENROLMENT = "/accounts/two-factor/"


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def reaches_nothing(client: Client) -> bool:
    """Nothing for staff opens: the staff pages, the admin, head office's API."""
    admin = client.get("/admin/queueing/branch/", follow=True)
    return (
        sent_to_sign_in(client.get("/staff/"))
        and admin.redirect_chain[-1][0].startswith("/accounts/login/")
        and client.get("/api/reserved-cash/").status_code in (401, 403)
    )


def test_head_office_enters_a_code_after_the_password_and_only_then_is_signed_in(head_office):
    device = factories.make_totp_device(head_office)
    client = Client()
    response = sign_in(client, head_office.username, next="/admin/queueing/branch/")
    assert response["Location"] == CODE_STEP
    assert reaches_nothing(client)
    page = client.get(CODE_STEP)
    assert page.status_code == 200
    assert 'name="otp_token"' in page.text and 'autocomplete="one-time-code"' in page.text

    response = enter_code(client, factories.totp_code(device))
    assert response["Location"] == "/admin/queueing/branch/"
    assert client.get("/admin/queueing/branch/").status_code == 200


def test_a_wrong_code_says_so_and_signs_nobody_in(head_office):
    factories.make_totp_device(head_office)
    client = Client()
    sign_in(client, head_office.username)
    response = enter_code(client, "000000")
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert reaches_nothing(client)


def test_a_code_right_after_a_wrong_one_is_asked_to_wait(head_office):
    device = factories.make_totp_device(head_office)
    client = Client()
    sign_in(client, head_office.username)
    enter_code(client, "000000")
    response = enter_code(client, factories.totp_code(device))
    assert response.status_code == 429
    assert "Wait a moment" in response.text
    assert reaches_nothing(client)


def test_guessing_codes_locks_the_account_and_then_the_right_code_is_refused(head_office):
    device = factories.make_totp_device(head_office)
    client = Client()
    sign_in(client, head_office.username)
    for guess in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        response = enter_code(client, f"{guess:06d}")
        device.refresh_from_db()
        device.throttle_reset()  # the lockout is under test here, not the back-off
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    # The password has to be entered again, and the right code then is refused as well.
    assert sent_to_sign_in(enter_code(client, factories.totp_code(device)))
    assert reaches_nothing(client)
    # The password alone gets no further either, until the lockout ends.
    assert sign_in(Client(), head_office.username).status_code == 429


def test_the_code_step_needs_the_password_first(head_office):
    factories.make_totp_device(head_office)
    assert sent_to_sign_in(Client().get(CODE_STEP))
    assert sent_to_sign_in(enter_code(Client(), "123456"))


def test_the_code_step_expires_after_a_few_minutes(head_office):
    device = factories.make_totp_device(head_office)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, head_office.username)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert sent_to_sign_in(enter_code(client, factories.totp_code(device)))
        assert reaches_nothing(client)


# Enrolment --------------------------------------------------------------------------------------


def test_head_office_without_an_authenticator_enrols_before_it_reaches_anything(head_office):
    client = Client()
    response = sign_in(client, head_office.username, next="/admin/queueing/branch/")
    assert response["Location"] == ENROLMENT
    assert reaches_nothing(client)

    page = client.get(ENROLMENT)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=head_office, confirmed=False)
    assert secret_of(device) in page.text.replace(" ", "")
    assert 'src="/accounts/two-factor/qr.png"' in page.text
    image = client.get("/accounts/two-factor/qr.png")
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert "no-store" in image["Cache-Control"]
    assert secret_of(device) in client.get(ENROLMENT).text.replace(" ", ""), "the same key again"
    assert reaches_nothing(client)

    response = enter_code(client, factories.totp_code(device), path=ENROLMENT)
    assert response["Location"] == "/admin/queueing/branch/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/queueing/branch/").status_code == 200


def test_a_wrong_code_during_enrolment_confirms_nothing_and_counts_as_a_failure(head_office):
    from axes.models import AccessAttempt

    client = Client()
    sign_in(client, head_office.username)
    client.get(ENROLMENT)
    response = enter_code(client, "000000", path=ENROLMENT)
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert AccessAttempt.objects.get(username=head_office.username).failures_since_start == 1
    assert reaches_nothing(client)


def test_a_teller_enrols_an_authenticator_and_then_their_sign_in_asks_for_its_code(teller, counter):
    client = Client()
    assert sign_in(client, teller.username).status_code == 302
    page = client.get(ENROLMENT)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=teller, confirmed=False)
    response = enter_code(client, factories.totp_code(device), path=ENROLMENT)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # Still signed in, now with the second factor, and told so.
    page = client.get(ENROLMENT)
    assert "Your sign-in asks for a code" in page.text
    assert secret_of(device) not in page.text.replace(" ", "")

    client.post("/accounts/logout/")
    again = Client()
    assert sign_in(again, teller.username)["Location"] == CODE_STEP
    enter_code(again, factories.totp_code(device, steps_later=1))
    assert again.get("/staff/").status_code == 302
    assert not sent_to_sign_in(again.get("/staff/"))


def test_the_two_factor_page_is_for_signed_in_staff(db):
    assert sent_to_sign_in(Client().get(ENROLMENT))
    assert sent_to_sign_in(Client().get("/accounts/two-factor/qr.png"))
    customer = factories.signed_in(factories.make_user("customer"), second_factor=False)
    assert customer.get(ENROLMENT).status_code == 403


def test_a_session_of_head_office_without_a_verified_code_counts_as_signed_out(head_office):
    client = factories.signed_in(head_office, second_factor=False)
    assert reaches_nothing(client)


def test_a_session_of_enrolled_staff_without_a_verified_code_counts_as_signed_out(teller, counter):
    factories.make_totp_device(teller)
    client = factories.signed_in(teller, second_factor=False)
    assert sent_to_sign_in(client.get("/lobby/GZ-TH01/"))
    verified = factories.signed_in(teller)
    assert verified.get("/lobby/GZ-TH01/").status_code == 200


def test_a_teller_without_an_authenticator_signs_in_with_the_password_alone(teller, counter):
    client = Client()
    assert sign_in(client, teller.username)["Location"] == "/staff/"
    assert client.get("/lobby/GZ-TH01/").status_code == 200
