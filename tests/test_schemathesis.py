"""Schemathesis over every operation of the API, three times: as an anonymous customer, as a
teller (`Authorization: Token …`) and as a kiosk (`Authorization: Kiosk …`), with all its checks,
against a real uvicorn process on PostgreSQL as in production.

Any 5xx, and any failure of a check (an answer the schema does not describe, a schema-valid
request refused, a schema-invalid one taken…), fails the test. The figures of each run (requests,
statuses, 5xx, failures by check and operation) are printed in one line, put in the JUnit report,
and kept with Schemathesis' JSON report and every request (HAR) in $SCHEMATHESIS_REPORT_DIR when
it is set (CI keeps them with the test artifacts).

Bounded so that the three runs take a few minutes on two cores: MAX_EXAMPLES per operation and
phase, a short stateful phase, one fixed seed, and a deadline for each run.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kiosks.services import kiosk_register
from queueing import selectors, services
from queueing.models import StaffMembership
from tests import factories
from tests.servers import free_port, server_environment, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = 40
STATEFUL_STEPS = 10
REQUEST_TIMEOUT_SECONDS = 10
# One run has taken under a minute and a half here; past this it is stopped and fails.
RUN_DEADLINE_SECONDS = 420
SEED = 20260301


def seed_branch() -> dict[str, list]:
    """A small branch with real values for the paths and bodies: tokens, codes, numbers."""
    branch = factories.make_branch()
    factories.make_branch(
        "GZ-TH02", name_en="Tiyu Sub-branch", name_zh="体育支行", latitude="23.140000"
    )
    cash = factories.make_service(branch, "A", name_en="Cash", name_zh="现金")
    non_cash = factories.make_service(branch, "B", name_en="Non-cash", name_zh="非现金")
    wealth = factories.make_service(
        branch, "C", name_en="Wealth", name_zh="理财", appointment_capacity=50
    )
    factories.make_service(
        branch, "D", name_en="Large cash", appointment_capacity=50, reserves_cash=True
    )
    teller = factories.make_staff(branch, role=StaffMembership.Role.TELLER, username="teller")
    factories.make_counter(branch, 1, [cash, non_cash], teller=teller)
    factories.make_counter(branch, 2, [wealth])
    _kiosk, kiosk_key = kiosk_register(branch=branch, name="Lobby 1")

    _first, waiting = factories.issue(cash, 2)
    called = services.ticket_call_next(counter=branch.counters.get(number=1), actor=teller)
    (other,) = factories.issue(non_cash)
    tomorrow = branch.business_day(timezone.now()) + timedelta(days=1)
    starts = [slot.start for slot in selectors.slots_for_day(service=wealth, day=tomorrow)]
    appointment = services.appointment_book(service=wealth, start=starts[0], phone="13812345678")
    return {
        "staff_token": [Token.objects.create(user=teller).key],
        "kiosk_key": [kiosk_key],
        "tickets": [waiting.token, called.token, other.token],
        "appointments": [appointment.token],
        "check_in_codes": [appointment.code],
        "branches": [branch.code],
        "counters": [1, 2],
        "prefixes": ["A", "B", "C", "D"],
        "days": [tomorrow.isoformat()],
        "starts": [start.isoformat() for start in starts[1:4]],
        "phones": ["13812345678", "+44 20 7946 0958"],
    }


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is TOML too


def write_config(path: Path, values: dict[str, list], authorization: str | None) -> None:
    """Real values half of the time, where a parameter names a seeded thing."""
    dictionaries = {
        name: values[name]
        for name in (
            "tickets",
            "appointments",
            "check_in_codes",
            "branches",
            "counters",
            "prefixes",
            "days",
            "starts",
            "phones",
        )
    }
    everywhere = {
        "path.code": "branches",
        "path.number": "counters",
        "query.service": "prefixes",
        "query.date": "days",
        "body.branch": "branches",
        "body.service": "prefixes",
        "body.start": "starts",
        "body.phone": "phones",
    }
    lines = [
        f"seed = {SEED}",
        "continue-on-failure = true",
        f"request-timeout = {REQUEST_TIMEOUT_SECONDS}",
        "generation.max-examples = " + str(MAX_EXAMPLES),
        "generation.database = 'none'",
        # The edge refuses a NUL anywhere with a 400 `invalid_characters` (tests/branchsite),
        # which the schema lists on every operation but cannot write into every string's
        # pattern: generated NULs would only be reported as valid data refused.
        "generation.allow-x00 = false",
        # Hypothesis gives up on drawing a booking that misses a pattern and all else holds; that
        # is about the generator, not the API.
        "suppress-health-check = ['filter_too_much']",
        "phases.stateful.max-steps = " + str(STATEFUL_STEPS),
        "checks.enabled = true",
        # A key reused for another body is a 422, however well formed the request (as the IETF
        # draft on the Idempotency-Key header says); generated keys such as "0" recur.
        "checks.positive_data_acceptance.expected-statuses = "
        "['2xx', '3xx', '401', '403', '404', '409', '422', '429', '5xx']",
    ]
    if authorization is not None:
        lines.append(f"headers = {{ Authorization = {_toml(authorization)} }}")
    lines.append("[parameters]")
    lines += [
        f"{_toml(key)} = {{ dictionary = {_toml(name)}, probability = 0.5 }}"
        for key, name in everywhere.items()
    ]
    for prefix, dictionary in (
        ("/api/tickets/", "tickets"),
        ("/api/appointments/", "appointments"),
    ):
        lines += [
            "[[operations]]",
            f"include-path-regex = {_toml('^' + prefix + '{token}')}",
            "[operations.parameters]",
            f'"path.token" = {{ dictionary = {_toml(dictionary)}, probability = 0.5 }}',
        ]
    # Schemathesis lets an operation that mints credentials answer a wrong password with a 400
    # (its CREDENTIAL_REJECTION_STATUSES), but knows such operations only by an OAuth2 tokenUrl,
    # which `Authorization: Token` has none of. A wrong password or code is a 400 there
    # (tests/accounts/test_token_sign_in.py).
    lines += [
        "[[operations]]",
        "include-path = '/api/auth/token/'",
        "checks.positive_data_acceptance.expected-statuses = "
        "['2xx', '3xx', '400', '401', '403', '404', '409', '422', '429', '5xx']",
    ]
    lines += [
        "[[operations]]",
        "include-path-regex = '/check-in/$'",
        "[operations.parameters]",
        '"body.code" = { dictionary = "check_in_codes", probability = 0.5 }',
    ]
    for name, entries in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(entries)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_schemathesis(base: str, config: Path, reports: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{base}/api/schema/?format=json",
        "--url",
        base,
        "--checks",
        "all",
        # One worker: two threads drawing at once trip CPython 3.11's AST recursion check
        # (SystemError "AST constructor recursion depth mismatch") inside Hypothesis.
        "--workers",
        "1",
        "--report",
        "json,har",
        "--report-json-path",
        str(reports / "run.json"),
        "--report-har-path",
        str(reports / "requests.har"),
        "--output-truncate",
        "true",
    ]
    try:
        done = subprocess.run(
            command,
            cwd=reports,
            capture_output=True,
            text=True,
            timeout=RUN_DEADLINE_SECONDS,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        pytest.fail(f"Schemathesis ran over {RUN_DEADLINE_SECONDS} s:\n{output[-20000:]}")
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def figures(reports: Path) -> dict:
    """Requests and their statuses from the HAR file, failures from the JSON report."""
    har = json.loads((reports / "requests.har").read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    statuses = Counter(entry["response"]["status"] for entry in entries)
    verdict = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    return {
        "requests": len(entries),
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "statuses": {str(status): statuses[status] for status in sorted(statuses)},
        "test_cases": verdict["test_cases"],
        "operations": verdict["operations"],
        "failures": [
            {key: group[key] for key in ("title", "count", "operations")}
            for group in verdict["failures"]
        ],
        "errors": verdict["errors"],
        "complete": verdict["complete"],
    }


def report_dir(tmp_path: Path, caller: str) -> Path:
    root = os.environ.get("SCHEMATHESIS_REPORT_DIR")
    directory = (Path(root).resolve() if root else tmp_path) / caller
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


@pytest.mark.parametrize("caller", ["anonymous", "staff", "kiosk"])
def test_every_operation_answers_as_its_schema_says(caller, tmp_path, capsys, record_property):
    values = seed_branch()
    authorization = {
        "anonymous": None,
        "staff": f"Token {values['staff_token'][0]}",
        "kiosk": f"Kiosk {values['kiosk_key'][0]}",
    }[caller]
    reports = report_dir(tmp_path, caller)
    config = reports / "schemathesis.toml"
    write_config(config, values, authorization)
    port = free_port()
    env = server_environment(
        application_name=f"branchsite-schemathesis-{caller}",
        # The abuse limits would answer most creating requests with a 429 after a few dozen.
        REMOTE_TICKETS_PER_PHONE_PER_HOUR="0",
        REMOTE_TICKETS_PER_ADDRESS_PER_HOUR="0",
        BOOKINGS_PER_PHONE_PER_DAY="0",
        BOOKINGS_PER_ADDRESS_PER_DAY="0",
    )
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    # Read the server's log as it comes: a full pipe would stop the server mid-run.
    server_log: deque[str] = deque(maxlen=200)
    reader = threading.Thread(
        target=lambda: server_log.extend(line.decode(errors="replace") for line in server.stdout),
        daemon=True,
    )
    reader.start()
    try:
        exit_code, output, seconds = run_schemathesis(f"http://127.0.0.1:{port}", config, reports)
    finally:
        stop_server(server)
        reader.join(timeout=5)
    (reports / "output.txt").write_text(output, encoding="utf-8")
    (reports / "server.log").write_text("".join(server_log), encoding="utf-8")
    if not (reports / "run.json").exists() or not (reports / "requests.har").exists():
        pytest.fail(f"Schemathesis wrote no report (exit {exit_code}):\n{output[-20000:]}")
    found = figures(reports)
    found["seconds"] = round(seconds)
    (reports / "figures.json").write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    record_property("schemathesis", json.dumps(found))
    with capsys.disabled():
        print(
            f"\nSchemathesis as {caller}: {found['requests']} requests, "
            f"{found['server_errors']} 5xx, {len(found['failures'])} kinds of failure "
            f"({sum(group['count'] for group in found['failures'])} cases), "
            f"{len(found['errors'])} errors, {found['seconds']} s; statuses {found['statuses']}"
        )
    assert found["complete"], output[-20000:]
    assert found["server_errors"] == 0, output[-20000:] + "".join(server_log)
    assert exit_code == 0 and not found["failures"] and not found["errors"], output[-20000:]
