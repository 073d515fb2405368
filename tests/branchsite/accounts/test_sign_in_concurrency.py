"""Sign-in under attack, against a real server process on PostgreSQL with production's password
hashing: a burst of parallel wrong passwords neither crashes the server nor starves the customers
reading the branch list, and parallel guesses get no further than the lockout allows."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings, settings
from django.db.models import Sum

from tests import factories
from tests.servers import free_port, server_environment, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTACKERS = 40
# A customer's branch list must stay quick while the burst runs.
READER_WORST_SECONDS = 2.0
REQUEST_TIMEOUT_SECONDS = 30


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        raw = refused.read()
        try:
            return refused.code, json.loads(raw)
        except ValueError:
            return refused.code, {"code": raw.decode(errors="replace")[:80]}


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.fixture
def teller_with_a_real_password(settings, branch, cash, counter):
    # Production's hasher, so that each wrong password costs the server what it costs there.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    teller = factories.make_staff(branch, username="teller-under-attack")
    teller.set_password("the-right-password-2026")
    teller.save()
    return teller


def burst(port: int, username: str) -> dict:
    """ATTACKERS wrong passwords at once on the token endpoint while a customer reads the branch
    list over and over; what each side got, and how long it took."""
    base = f"http://127.0.0.1:{port}"
    reads: list[tuple[int, float]] = []
    burst_over = threading.Event()

    def read_until_over() -> None:
        while not burst_over.is_set() or len(reads) < 5:
            started = time.monotonic()
            status = get(f"{base}/api/branches/")
            reads.append((status, time.monotonic() - started))

    def guess(number: int) -> tuple[int, str]:
        status, body = post_json(
            f"{base}/api/auth/token/", {"username": username, "password": f"guess-{number}"}
        )
        return status, body.get("code", "")

    reader = threading.Thread(target=read_until_over)
    reader.start()
    time.sleep(0.3)  # the customer is already reading when the burst starts
    started = time.monotonic()
    with ThreadPoolExecutor(ATTACKERS) as pool:
        answers = list(pool.map(guess, range(ATTACKERS)))
    burst_seconds = time.monotonic() - started
    burst_over.set()
    reader.join(timeout=REQUEST_TIMEOUT_SECONDS * 2)
    return {
        "burst_seconds": round(burst_seconds, 2),
        "answers": Counter(f"{status} {code}" for status, code in answers),
        "reads": len(reads),
        "read_statuses": Counter(status for status, _ in reads),
        "worst_read_seconds": round(max(seconds for _, seconds in reads), 3),
    }


def test_forty_parallel_wrong_passwords_crash_nothing_and_starve_no_customer(
    teller_with_a_real_password,
):
    # Limits far above the burst: what is under test is the server, not the lockout.
    env = server_environment(
        application_name="sign-in-burst",
        SIGN_IN_FAILURES_PER_ACCOUNT="1000",
        SIGN_IN_FAILURES_PER_ADDRESS="1000",
    )
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    try:
        figures = burst(port, teller_with_a_real_password.username)
    finally:
        stop_server(server)
    print(f"\n{ATTACKERS} parallel wrong passwords: {figures}")

    server_errors = sum(n for answer, n in figures["answers"].items() if answer.startswith("5"))
    assert server_errors == 0, figures
    assert set(figures["answers"]) <= {"400 invalid", "429 sign_in_busy"}, figures
    assert figures["read_statuses"] == {200: figures["reads"]}, figures
    assert figures["worst_read_seconds"] < READER_WORST_SECONDS, figures


def test_parallel_guesses_get_no_further_than_the_lockout_allows(teller_with_a_real_password):
    env = server_environment(application_name="sign-in-lockout", SIGN_IN_FAILURES_PER_ACCOUNT="5")
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    try:
        figures = burst(port, teller_with_a_real_password.username)
        status, body = post_json(
            f"http://127.0.0.1:{port}/api/auth/token/",
            {
                "username": teller_with_a_real_password.username,
                "password": "the-right-password-2026",
            },
        )
    finally:
        stop_server(server)
    print(f"\n{ATTACKERS} parallel guesses with a limit of 5: {figures}")

    # Every password checked and wrong was counted; refusals during the lockout were not.
    checked = AccessAttempt.objects.filter(username=teller_with_a_real_password.username)
    checked = checked.aggregate(total=Sum("failures_since_start"))["total"]
    print(f"passwords checked: {checked}")
    # A guess already past the lockout check when the fifth failure is written is still
    # checked: at most one more per password check a process runs at once.
    assert 5 <= checked < 5 + settings.SIGN_IN_CONCURRENCY, figures
    # Every other guess was refused unchecked: locked out, or, on a loaded machine, turned
    # away by the sign-in gate before its turn (429 sign_in_busy), which checks nothing either.
    answers = figures["answers"]
    refused = answers["429 sign_in_locked"] + answers["429 sign_in_busy"]
    assert refused >= ATTACKERS - checked, figures
    assert (status, body["code"]) == (429, "sign_in_locked")
    # As the server answers it, through every middleware: the account's lockout, not a guess.
    assert "try again in 15 minutes" in body["detail"], body
    assert body["retry_after_seconds"] > 14 * 60, body
    assert figures["read_statuses"] == {200: figures["reads"]}, figures
