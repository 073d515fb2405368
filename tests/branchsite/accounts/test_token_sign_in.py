"""`POST /api/auth/token/` is a sign-in like the form: the same lockout, counted together with the
form's failures, the same second factor, and 429s with a stable code instead of a token."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from branchsite.accounts.services import password_checks
from tests import factories

from .conftest import ELSEWHERE, sign_in, token_request

pytestmark = pytest.mark.django_db


def test_thirty_wrong_passwords_then_the_right_one_get_no_token(api, teller):
    for _ in range(30):
        token_request(api, teller.username, "guess")
    response = token_request(api, teller.username)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "sign_in_locked"
    assert "try again in 15 minutes" in body["detail"]
    assert "token" not in body
    assert 0 < int(response["Retry-After"]) <= settings.SIGN_IN_LOCKOUT_MINUTES * 60


def test_the_lockout_is_explained_in_chinese_to_a_chinese_client(teller):
    api = APIClient(headers={"accept-language": "zh-CN,zh;q=0.9"})
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        token_request(api, teller.username, "guess")
    response = token_request(api, teller.username)
    assert response.json()["code"] == "sign_in_locked"
    assert "登录失败次数过多" in response.json()["detail"]


def test_wrong_passwords_on_the_form_and_the_api_add_up(api, teller):
    half = settings.SIGN_IN_FAILURES_PER_ACCOUNT // 2
    for _ in range(half):
        sign_in(Client(), teller.username, "guess")
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT - half):
        token_request(api, teller.username, "guess")
    assert token_request(api, teller.username).status_code == 429
    assert sign_in(Client(), teller.username).status_code == 429


def test_a_locked_address_gets_no_token_for_any_account(api, branch):
    for number in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        token_request(api, f"sprayed-{number}", "guess")
    colleague = factories.make_staff(branch, username="colleague")
    assert token_request(api, colleague.username).json()["code"] == "sign_in_locked"
    assert token_request(api, colleague.username, REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_a_token_sign_in_forgets_the_accounts_failures(api, teller):
    below_the_limit = settings.SIGN_IN_FAILURES_PER_ACCOUNT - 1
    for _ in range(below_the_limit):
        token_request(api, teller.username, "guess")
    assert token_request(api, teller.username).status_code == 200
    for _ in range(below_the_limit):
        token_request(api, teller.username, "guess")
    assert token_request(api, teller.username).status_code == 200


def test_a_wrong_password_is_still_a_400_until_the_lockout(api, teller):
    response = token_request(api, teller.username, "guess")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


# The second factor ------------------------------------------------------------------------------


def test_head_office_gets_a_token_only_with_the_code_of_its_authenticator(api, head_office):
    device = factories.make_totp_device(head_office)
    without = token_request(api, head_office.username)
    assert (without.status_code, without.json()["code"]) == (400, "second_factor_required")
    assert "token" not in without.json()
    wrong = token_request(api, head_office.username, otp_token="000000")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "second_factor_invalid")
    device.refresh_from_db()
    device.throttle_reset()  # the back-off after a wrong code has a test of its own
    right = token_request(api, head_office.username, otp_token=factories.totp_code(device))
    assert right.status_code == 200
    assert right.json()["token"]


def test_head_office_without_an_authenticator_gets_no_token(api, head_office):
    response = token_request(api, head_office.username, otp_token="123456")
    assert (response.status_code, response.json()["code"]) == (403, "second_factor_not_enrolled")
    assert "/accounts/two-factor/" in response.json()["detail"]


def test_a_teller_with_an_authenticator_needs_its_code_for_a_token(api, teller):
    device = factories.make_totp_device(teller)
    assert token_request(api, teller.username).json()["code"] == "second_factor_required"
    response = token_request(api, teller.username, otp_token=factories.totp_code(device))
    assert response.status_code == 200


def test_guessing_the_code_locks_the_account_and_the_right_code_is_refused_too(api, head_office):
    device = factories.make_totp_device(head_office)
    for guess in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        token_request(api, head_office.username, otp_token=f"{guess:06d}")
        device.refresh_from_db()
        device.throttle_reset()  # only the lockout is under test here, not the back-off
    response = token_request(api, head_office.username, otp_token=factories.totp_code(device))
    assert (response.status_code, response.json()["code"]) == (429, "sign_in_locked")


def test_a_code_right_after_a_wrong_one_waits_for_the_back_off(api, head_office):
    device = factories.make_totp_device(head_office)
    token_request(api, head_office.username, otp_token="000000")
    response = token_request(api, head_office.username, otp_token=factories.totp_code(device))
    assert (response.status_code, response.json()["code"]) == (429, "second_factor_throttled")
    assert int(response["Retry-After"]) >= 1


def test_a_code_is_accepted_once(api, teller):
    device = factories.make_totp_device(teller)
    code = factories.totp_code(device)
    assert token_request(api, teller.username, otp_token=code).status_code == 200
    again = token_request(api, teller.username, otp_token=code)
    assert again.json()["code"] == "second_factor_invalid"


# The schema -------------------------------------------------------------------------------------


def test_the_schema_documents_the_code_and_the_429s(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/auth/token/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][request.rsplit("/", 1)[1]]
    assert "otp_token" in fields["properties"]
    assert set(fields["required"]) == {"username", "password"}
    assert {"200", "400", "403", "429"} <= set(operation["responses"])


def test_while_every_password_check_is_taken_a_token_request_gets_429_and_queries_nothing(
    api, teller, settings, django_assert_num_queries
):
    settings.SIGN_IN_CONCURRENCY = 1
    settings.SIGN_IN_WAIT_SECONDS = 0
    with password_checks().slot(), django_assert_num_queries(0):
        response = token_request(api, teller.username)
    assert (response.status_code, response.json()["code"]) == (429, "sign_in_busy")
    assert int(response["Retry-After"]) >= 1
    assert token_request(api, teller.username).status_code == 200
