"""Issuing and calling under real concurrency, against PostgreSQL with real commits.

What a bank would notice if these failed: two customers in the lobby holding the same number, a
number skipped on the wall screen so that staff wait for a customer who never existed, or two
counters calling the same customer (or one customer never called at all) at a busy hour, or every
request failing at a busy hour because the server let its database connections pile up.
"""

import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import random
import threading
import time
import traceback
import urllib.request
from collections import Counter as Tally
from collections import defaultdict

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone

from queueing import services
from queueing.models import Counter, Service, Ticket, TicketEvent, TicketSequence
from tests import factories
from tests.servers import free_port, server_environment, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ISSUERS = 8
TICKETS_TO_COMMIT = 1_000
ABORT_SHARE = 0.1
# Generous: the whole test takes a few seconds; a hang must fail rather than stall the run.
DEADLINE_SECONDS = 50


def _close_database_connections() -> None:
    """Close every connection of this process, and any pool behind them: a pool's connections
    and threads do not survive a fork."""
    for conn in connections.all(initialized_only=True):
        conn.close()
        if getattr(conn, "pool", None) is not None:
            conn.close_pool()


class PrinterJammed(Exception):
    """Raised after taking a number, so that the issue rolls back like a failed request."""


def _issue_in_child(
    child: int,
    quota: int,
    service_ids: list[int],
    start: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue,
) -> None:
    """Body of one issuing process: its own connection, a seeded mix of commits and aborts."""
    committed: Tally[int] = Tally()
    aborted = 0
    try:
        queues = list(
            Service.objects.select_related("branch")
            .prefetch_related("branch__opening_hours")
            .filter(pk__in=service_ids)
        )
        rng = random.Random(child)
        start.wait(timeout=DEADLINE_SECONDS)
        while sum(committed.values()) < quota:
            service = rng.choice(queues)
            if rng.random() < ABORT_SHARE:
                try:
                    with transaction.atomic():
                        services.ticket_issue(service=service, channel=Ticket.Channel.KIOSK)
                        raise PrinterJammed
                except PrinterJammed:
                    aborted += 1
            else:
                services.ticket_issue(service=service, channel=Ticket.Channel.REMOTE)
                committed[service.pk] += 1
        results.put(("ok", child, dict(committed), aborted))
    except BaseException:
        results.put(("error", child, traceback.format_exc(), 0))
    finally:
        _close_database_connections()


def test_numbers_stay_gapless_and_unique_when_eight_processes_issue_and_some_abort():
    queues = []
    for code in ("GZ-TH01", "GZ-YX02", "SZ-FT03"):
        branch = factories.make_branch(code)
        queues += [factories.make_service(branch, "A"), factories.make_service(branch, "B")]
    service_ids = [service.pk for service in queues]

    fork = multiprocessing.get_context("fork")
    start = fork.Barrier(ISSUERS)
    results = fork.Queue()
    share, rest = divmod(TICKETS_TO_COMMIT, ISSUERS)
    quotas = [share + (i < rest) for i in range(ISSUERS)]
    # A forked child must not share the parent's socket to the database.
    _close_database_connections()
    children = [
        fork.Process(target=_issue_in_child, args=(i, quotas[i], service_ids, start, results))
        for i in range(ISSUERS)
    ]
    for child in children:
        child.start()
    try:
        reports = [results.get(timeout=DEADLINE_SECONDS) for _ in children]
    finally:
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()

    failures = [report[2] for report in reports if report[0] == "error"]
    assert not failures, "an issuing process failed:\n" + "\n".join(failures)
    assert all(child.exitcode == 0 for child in children)

    reported: Tally[int] = Tally()
    for _, _, committed, _ in reports:
        reported.update(committed)
    aborted = sum(report[3] for report in reports)
    assert sum(reported.values()) == TICKETS_TO_COMMIT
    assert aborted > 0, "no issue was rolled back, so the test proved nothing about aborts"

    numbers_by_service: dict[int, list[str]] = defaultdict(list)
    for service_id, number in Ticket.objects.values_list("service_id", "number"):
        numbers_by_service[service_id].append(number)
    assert sum(len(numbers) for numbers in numbers_by_service.values()) == TICKETS_TO_COMMIT
    for service in queues:
        issued = numbers_by_service[service.pk]
        assert len(issued) == reported[service.pk]
        assert {number[0] for number in issued} == {service.prefix}
        sequences = sorted(int(number[1:]) for number in issued)
        where = f"{service.branch.code} {service.prefix}"
        assert sequences == list(range(1, len(issued) + 1)), f"{where}: a gap or a twin"
        sequence = TicketSequence.objects.get(service=service)
        assert sequence.last_issued == len(issued), "a rolled-back number was kept"
    assert TicketEvent.objects.filter(action=TicketEvent.Action.ISSUED).count() == (
        TICKETS_TO_COMMIT
    )


WAITING_TICKETS = 1_000


def test_two_counters_calling_next_at_once_call_every_ticket_exactly_once():
    # From ten this morning, clock running: a run just before midnight would issue today and
    # call tomorrow, when today's tickets no longer queue.
    ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(ten, tick=True):
        _two_counters_call_every_ticket_exactly_once()


def _two_counters_call_every_ticket_exactly_once() -> None:
    branch = factories.make_branch()
    cash = factories.make_service(branch, "A")
    counters = [factories.make_counter(branch, n, [cash]) for n in (1, 2)]
    tellers = [factories.make_staff(branch, role="teller") for _ in counters]
    with transaction.atomic():
        factories.issue(cash, WAITING_TICKETS)

    start = threading.Barrier(len(counters))
    called: dict[int, list[int]] = {counter.pk: [] for counter in counters}
    errors: list[str] = []

    def call_until_nobody_waits(counter_pk: int, teller_pk: int) -> None:
        try:
            counter = Counter.objects.select_related("branch").get(pk=counter_pk)
            teller = get_user_model().objects.get(pk=teller_pk)
            start.wait(timeout=DEADLINE_SECONDS)
            while (ticket := services.ticket_call_next(counter=counter, actor=teller)) is not None:
                called[counter_pk].append(ticket.pk)
                # A counter holds one customer at a time: this one never came.
                services.ticket_mark_no_show(ticket=ticket, actor=teller)
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=call_until_nobody_waits, args=(counter.pk, teller.pk))
        for counter, teller in zip(counters, tellers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a counter hung"
    assert not errors, "a counter failed:\n" + "\n".join(errors)

    all_called = [pk for pks in called.values() for pk in pks]
    assert len(all_called) == WAITING_TICKETS
    assert len(set(all_called)) == WAITING_TICKETS, "a ticket was called twice"
    assert all(called[counter.pk] for counter in counters), "one counter got nobody"
    assert not Ticket.objects.filter(status=Ticket.Status.WAITING).exists()
    for counter in counters:
        tickets = Ticket.objects.filter(pk__in=called[counter.pk])
        assert set(tickets.values_list("status", flat=True)) == {Ticket.Status.NO_SHOW}
        assert set(tickets.values_list("counter_id", flat=True)) == {counter.pk}
    calls_per_ticket = Tally(
        TicketEvent.objects.filter(action=TicketEvent.Action.CALLED).values_list(
            "ticket_id", flat=True
        )
    )
    assert len(calls_per_ticket) == WAITING_TICKETS
    assert set(calls_per_ticket.values()) == {1}
    event_counters = dict(
        TicketEvent.objects.filter(action=TicketEvent.Action.CALLED).values_list(
            "ticket_id", "counter_id"
        )
    )
    for counter_pk, ticket_pks in called.items():
        assert {event_counters[pk] for pk in ticket_pks} == {counter_pk}


CLIENTS = 8
REQUESTS = 48
# Fewer connections than concurrent clients: requests must share them.
POOL_SIZE = 3
# How the server's connections are told apart from this process's own.
SERVER_UNDER_TEST = "branchsite-server-under-test"


def test_a_server_told_to_keep_connections_refuses_to_start_and_says_why():
    """Under ASGI each request runs in a thread of its own, so a kept connection is never used
    again and stays open until Python's garbage collector happens to find it: at a busy hour
    PostgreSQL runs out of connections and every process fails with "too many clients"."""
    port = free_port()
    _, refusal = start_server(server_environment(DB_CONN_MAX_AGE="60"), port)
    assert refusal is not None, "the server started with DB_CONN_MAX_AGE=60"
    assert "DB_CONN_MAX_AGE is not supported" in refusal
    assert "DB_POOL_MAX_SIZE" in refusal


def test_a_busy_asgi_worker_holds_no_more_connections_than_its_pool():
    factories.make_branch()
    port = free_port()
    env = server_environment(application_name=SERVER_UNDER_TEST, DB_POOL_MAX_SIZE=str(POOL_SIZE))
    server, refusal = start_server(env, port)
    assert refusal is None, f"the server failed to start:\n{refusal}"

    requests = iter(range(REQUESTS))
    statuses: list[int] = []
    peak = 0
    done = threading.Event()

    def client() -> None:
        for _ in requests:
            url = f"http://127.0.0.1:{port}/api/branches/"
            with urllib.request.urlopen(url, timeout=10) as response:
                statuses.append(response.status)

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _server_connections())
            time.sleep(0.02)
        peak = max(peak, _server_connections())
        connection.close()

    watcher = threading.Thread(target=watch)
    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    try:
        watcher.start()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=DEADLINE_SECONDS)
    finally:
        done.set()
        watcher.join(timeout=DEADLINE_SECONDS)
        stop_server(server)
    assert statuses == [200] * REQUESTS
    assert 0 < peak <= POOL_SIZE, (
        f"{REQUESTS} requests from {CLIENTS} clients to one worker with a pool of {POOL_SIZE} "
        f"held {peak} database connections open at once"
    )


def _server_connections() -> int:
    """Connections the server under test holds to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [SERVER_UNDER_TEST],
        )
        return cursor.fetchone()[0]
