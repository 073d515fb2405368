"""The staff sign-in form: wrong passwords lock the account and, separately, the address they come
from; a locked account stays locked with the right password; a success forgets the account's
failures; forged X-Forwarded-For headers change nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from branchsite.accounts.services import password_checks
from tests import factories

from .conftest import ELSEWHERE, OFFICE, PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def signed_in_as(client: Client) -> str | None:
    """Who the next page sees: the username on the staff landing, or None when sent to sign in."""
    response = client.get("/staff/")
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return None
    return response.wsgi_request.user.get_username()


def test_a_teller_signs_in_with_the_right_password(teller, counter):
    client = Client()
    response = sign_in(client, teller.username)
    assert response.status_code == 302
    assert signed_in_as(client) == teller.username


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_a_lockout_page(teller):
    client = Client()
    for _ in range(30):
        sign_in(client, teller.username, "guess")
    response = sign_in(client, teller.username)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert "try again in 15 minutes" in response.text
    assert signed_in_as(client) is None


def test_the_lockout_page_is_in_chinese_for_a_chinese_browser(teller):
    client = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        sign_in(client, teller.username, "guess")
    response = sign_in(client, teller.username)
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.text
    assert "登录失败次数过多" in response.text


def test_an_account_is_locked_after_its_limit_and_not_one_attempt_before(teller):
    client = Client()
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT - 1):
        assert sign_in(client, teller.username, "guess").status_code == 200
    assert sign_in(client, teller.username).status_code == 302

    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        sign_in(Client(), teller.username, "guess")
    assert sign_in(Client(), teller.username).status_code == 429


def test_a_locked_account_is_locked_from_every_address(teller):
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        sign_in(Client(), teller.username, "guess", REMOTE_ADDR=OFFICE)
    assert sign_in(Client(), teller.username, REMOTE_ADDR=ELSEWHERE).status_code == 429


def test_an_address_that_tries_many_accounts_is_locked_out_for_every_account(branch):
    # A few wrong passwords on each account, all under the account limit, add up at the address.
    guesses_per_account = settings.SIGN_IN_FAILURES_PER_ACCOUNT - 1
    accounts = -(-settings.SIGN_IN_FAILURES_PER_ADDRESS // guesses_per_account)
    for number in range(accounts):
        for _ in range(guesses_per_account):
            sign_in(Client(), f"sprayed-{number}", "guess", REMOTE_ADDR=OFFICE)
    colleague = factories.make_staff(branch, username="colleague")
    assert sign_in(Client(), colleague.username, REMOTE_ADDR=OFFICE).status_code == 429
    # The colleague's account itself is not locked: from elsewhere they get in.
    assert sign_in(Client(), colleague.username, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_a_branch_where_several_staff_mistype_is_not_locked_out_at_the_account_limit(branch):
    # Staff of one branch share its address: its limit is higher than an account's.
    for number in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        sign_in(Client(), f"typo-{number}", "guess", REMOTE_ADDR=OFFICE)
    colleague = factories.make_staff(branch, username="colleague")
    assert sign_in(Client(), colleague.username, REMOTE_ADDR=OFFICE).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_address_lockout(branch, settings):
    settings.NUM_PROXIES = 0
    for number in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(
            Client(),
            f"sprayed-{number}",
            "guess",
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    colleague = factories.make_staff(branch, username="colleague")
    response = sign_in(
        Client(), colleague.username, REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.250"
    )
    assert response.status_code == 429


def test_behind_a_proxy_the_address_the_proxy_saw_is_counted(branch, settings):
    settings.NUM_PROXIES = 1
    proxy = "192.0.2.1"
    for number in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(
            Client(),
            f"sprayed-{number}",
            "guess",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, {OFFICE}",
        )
    colleague = factories.make_staff(branch, username="colleague")
    from_office = sign_in(
        Client(), colleague.username, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OFFICE
    )
    assert from_office.status_code == 429
    from_elsewhere = sign_in(
        Client(), colleague.username, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert from_elsewhere.status_code == 302


def test_a_successful_sign_in_forgets_the_accounts_failures(teller):
    below_the_limit = settings.SIGN_IN_FAILURES_PER_ACCOUNT - 1
    for _ in range(below_the_limit):
        sign_in(Client(), teller.username, "guess")
    assert sign_in(Client(), teller.username).status_code == 302
    for _ in range(below_the_limit):
        sign_in(Client(), teller.username, "guess")
    assert sign_in(Client(), teller.username).status_code == 302


def test_the_lockout_ends_after_the_cool_off(teller):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
            sign_in(Client(), teller.username, "guess")
        assert sign_in(Client(), teller.username).status_code == 429
    cool_off = timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
    with time_machine.travel(start + cool_off - timedelta(minutes=1), tick=False):
        locked = sign_in(Client(), teller.username)
        assert locked.status_code == 429
        assert "try again in 1 minute" in locked.text
    with time_machine.travel(start + cool_off + timedelta(seconds=1), tick=False):
        assert sign_in(Client(), teller.username).status_code == 302


def test_a_wrong_password_says_so_on_the_form(teller):
    response = sign_in(Client(), teller.username, "guess")
    assert response.status_code == 200
    assert "That user name and password do not match" in response.text


def test_sign_in_sends_staff_on_to_the_page_they_asked_for(teller, counter):
    client = Client()
    response = sign_in(client, teller.username, next="/lobby/GZ-TH01/")
    assert response["Location"] == "/lobby/GZ-TH01/"
    foreign = sign_in(Client(), teller.username, next="https://elsewhere.example/")
    assert foreign["Location"] == "/staff/"


def test_the_password_is_never_kept_with_the_failed_attempt(teller):
    from axes.models import AccessAttempt

    sign_in(Client(), teller.username, PASSWORD + "-typo")
    attempt = AccessAttempt.objects.get()
    assert PASSWORD not in attempt.post_data
    assert attempt.ip_address == OFFICE


def test_while_every_password_check_is_taken_a_sign_in_is_asked_to_retry_and_queries_nothing(
    teller, settings, django_assert_num_queries
):
    settings.SIGN_IN_CONCURRENCY = 1
    settings.SIGN_IN_WAIT_SECONDS = 0
    with password_checks().slot(), django_assert_num_queries(0):
        response = sign_in(Client(), teller.username)
    assert response.status_code == 429
    assert "try again in a few seconds" in response.text
    assert 'name="username"' in response.text
    assert sign_in(Client(), teller.username).status_code == 302
