"""Ticket issuing through the real HTTP stack, against a bare one-INSERT DRF endpoint.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_issue.py

Drops and recreates a database of its own (`branchsite_bench` on DATABASE_URL's server), migrates
it, creates ten always-open branches, serves the product with uvicorn and loads it from a separate
process with httpx. Scenarios, run as bare, spread, bare, hot, bare, ... so that every ticket run
is compared with the bare runs just before and after it:

    bare    POST /bench/bare/   one INSERT through the same server, middleware and DRF
    spread  POST /api/tickets/  round-robin over 10 branches x 2 services
    hot     POST /api/tickets/  every request on one branch's service A

Exits 1 on any non-201 answer, a duplicate or missing number, or a ticket count that does not
match the 201s; 2 when it cannot run (no PostgreSQL, server does not start). See bench/README.md.
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

from branchsite.server import UVICORN_FLAGS

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = 10
PREFIXES = ("A", "B")
TARGETS = {"spread": 0.8, "hot": 0.5}


# Load generator: runs in its own process and imports no Django ----------------------------------


def _bodies(scenario: str, codes: list[str]) -> list[bytes]:
    """The request bodies one scenario cycles through."""
    if scenario == "bare":
        return [json.dumps({"payload": "bench"}).encode()]
    if scenario == "hot":
        return [json.dumps({"branch": codes[0], "service": PREFIXES[0]}).encode()]
    return [
        json.dumps({"branch": code, "service": prefix}).encode()
        for prefix in PREFIXES
        for code in codes
    ]


async def _load(
    *,
    base_urls: list[str],
    path: str,
    bodies: list[bytes],
    total: int,
    concurrency: int,
    limit: float,
) -> dict:
    import httpx

    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    numbers = itertools.count()
    headers = {"content-type": "application/json"}

    async def client_loop(client: httpx.AsyncClient) -> None:
        while (i := next(numbers)) < total:
            sent = time.perf_counter()
            # Each ticket is another customer: its own address, as the proxy in front reports
            # it, so the per-address limit counts in a row of its own, as at a busy hour.
            customer = {"x-forwarded-for": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"}
            try:
                response = await client.post(
                    path, content=bodies[i % len(bodies)], headers=headers | customer
                )
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
            latencies.append(time.perf_counter() - sent)

    # One connection a client, dealt evenly over the server processes as a proxy would: with
    # `uvicorn --workers N` sharing one socket, whichever worker wakes first accepts a burst of
    # new connections, and all 32 often landed on one worker, halving a run's throughput at random.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base_urls[i % len(base_urls)], limits=limits, timeout=30.0)
        for i in range(concurrency)
    ]
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        loops = [asyncio.create_task(client_loop(client)) for client in clients]
        done, pending = await asyncio.wait(loops, timeout=limit)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    for task in done:
        if task.exception() is not None:
            statuses[f"client {type(task.exception()).__name__}"] += 1
    sent_count = sum(statuses.values())
    if sent_count < total:
        statuses["not sent (time limit)"] += total - sent_count
    ok = statuses.get("201", 0)
    latencies.sort()
    return {
        "requests": total,
        "created": ok,
        "seconds": elapsed,
        "rps": ok / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None,
        "client_cpu_ms": 1000 * client_cpu / max(sent_count, 1),
        "statuses": dict(statuses),
    }


def load_main(spec: dict) -> None:
    """Entry of the load process: a warm-up, then the measured batch, as JSON on stdout."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    bodies = _bodies(spec["scenario"], spec["codes"])
    common = dict(
        base_urls=spec["base_urls"],
        path=spec["path"],
        bodies=bodies,
        concurrency=spec["concurrency"],
        limit=spec["limit"],
    )
    warmup = asyncio.run(_load(total=spec["warmup"], **common))
    measured = asyncio.run(_load(total=spec["requests"], **common))
    json.dump({"warmup": warmup, "measured": measured}, sys.stdout)


# Orchestrator ------------------------------------------------------------------------------------


@dataclass
class Run:
    scenario: str
    rps: float
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    client_cpu_ms: float
    server_cpu_ms: float  # the uvicorn processes, a request (warm-up included)
    db_cpu_ms: float  # every PostgreSQL process of the machine, a request
    statuses: Counter[str] = field(default_factory=Counter)
    created: int = 0  # 201s, warm-up included

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "201")


def refuse(message: str) -> NoReturn:
    print(f"{Path(sys.argv[0]).stem}: {message}", file=sys.stderr)
    sys.exit(2)


def bench_database_url(database_url: str, name: str) -> tuple[str, str]:
    """(URL of the bench database, URL of the server's maintenance database)."""
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        refuse(
            f"DATABASE_URL is a {parts.scheme or 'schemeless'} URL, not PostgreSQL. The figures "
            "are about PostgreSQL (row locks, concurrent writers); SQLite serialises every write "
            "and would measure something else. Set DATABASE_URL=postgresql://user@host:port/db."
        )
    bench = urlunsplit(parts._replace(path=f"/{name}"))
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    return bench, maintenance


def recreate_database(maintenance_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_environment(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DB_POOL_MAX_SIZE": str(args.db_pool),
        # The load comes through one "proxy" with a new customer address per ticket.
        "NUM_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return env


def set_up_data(env: dict[str, str]) -> list[str]:
    """Migrate, create the bare table and ten always-open branches; return their codes."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.urls import BARE_TABLE_DDL
    from tests import factories

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(BARE_TABLE_DDL)
    codes = []
    for n in range(1, BRANCHES + 1):
        branch = factories.make_branch(f"BENCH-{n:02d}", hours=factories.ALL_DAY)
        queues = [factories.make_service(branch, prefix) for prefix in PREFIXES]
        for number, service in enumerate(queues, start=1):
            factories.make_counter(branch, number, [service])
        codes.append(branch.code)
    connection.close()
    return codes


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    # Another server on the port would answer the readiness check below and take the load.
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            refuse(f"port {port} is in use: is another benchmark running? (--port)")
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "branchsite.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        *UVICORN_FLAGS,
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            refuse(f"uvicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/branches/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    refuse(f"uvicorn did not answer within 30 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def server_ports(args: argparse.Namespace) -> list[int]:
    return [args.port + n for n in range(args.workers)]


def cpu_seconds(server_sessions: set[int]) -> tuple[float, float]:
    """(CPU seconds of the servers' processes, of all PostgreSQL processes) so far."""
    server = database = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # the process ended meanwhile
        # After the parenthesised command name: session is field 3, utime 11 and stime 12.
        fields = rest.split()
        ticks = int(fields[11]) + int(fields[12])
        if int(fields[3]) in server_sessions:
            server += ticks
        elif command.endswith("(postgres"):
            database += ticks
    tick = os.sysconf("SC_CLK_TCK")
    return server / tick, database / tick


def run_scenario(
    scenario: str, args: argparse.Namespace, codes: list[str], server_sessions: set[int]
) -> Run:
    spec = {
        "scenario": scenario,
        "codes": codes,
        "base_urls": [f"http://127.0.0.1:{port}" for port in server_ports(args)],
        "path": "/bench/bare/" if scenario == "bare" else "/api/tickets/",
        "warmup": args.warmup,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "limit": args.time_limit,
    }
    server_before, database_before = cpu_seconds(server_sessions)
    load = subprocess.run(
        [sys.executable, __file__, "--load", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=2 * args.time_limit + 60,
        check=False,
    )
    if load.returncode != 0:
        refuse(f"the load process failed:\n{load.stderr[-3000:]}")
    server_after, database_after = cpu_seconds(server_sessions)
    result = json.loads(load.stdout)
    measured, warmup = result["measured"], result["warmup"]
    sent = max(measured["requests"] + warmup["requests"], 1)
    return Run(
        scenario=scenario,
        rps=measured["rps"],
        seconds=measured["seconds"],
        p50_ms=measured["p50_ms"],
        p99_ms=measured["p99_ms"],
        client_cpu_ms=measured["client_cpu_ms"],
        server_cpu_ms=1000 * (server_after - server_before) / sent,
        db_cpu_ms=1000 * (database_after - database_before) / sent,
        statuses=Counter(measured["statuses"]) + Counter(warmup["statuses"]),
        created=measured["created"] + warmup["created"],
    )


def check_numbers() -> list[str]:
    """Problems with the issued numbers: duplicates, gaps, sequences out of step."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT branch_id, business_day, number, count(*) FROM queueing_ticket "
            "WHERE transferred_from_id IS NULL "
            "GROUP BY branch_id, business_day, number HAVING count(*) > 1"
        )
        problems += [
            f"duplicate number {row[2]} (branch {row[0]}, {row[1]}): {row[3]}x" for row in cursor
        ]
        cursor.execute(
            "SELECT t.service_id, t.business_day, count(*), "
            "min(substring(t.number from 2)::int), max(substring(t.number from 2)::int), "
            "max(s.last_issued) "
            "FROM queueing_ticket t LEFT JOIN queueing_ticketsequence s "
            "ON s.service_id = t.service_id AND s.business_day = t.business_day "
            "WHERE t.transferred_from_id IS NULL GROUP BY t.service_id, t.business_day"
        )
        for service_id, day, count, low, high, last_issued in cursor:
            if (low, high, last_issued) != (1, count, count):
                problems.append(
                    f"gap in service {service_id} on {day}: {count} tickets numbered "
                    f"{low}..{high}, sequence at {last_issued}"
                )
    return problems


def ticket_count() -> int:
    from queueing.models import Ticket

    return Ticket.objects.count()


def ratios(runs: list[Run]) -> dict[str, list[float]]:
    """Each ticket run against the mean of the bare runs just before and just after it."""
    found: dict[str, list[float]] = {name: [] for name in TARGETS}
    for i, run in enumerate(runs):
        if run.scenario not in TARGETS:
            continue
        around = [runs[j].rps for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        baseline = statistics.mean(around)
        found[run.scenario].append(run.rps / baseline if baseline else 0.0)
    return found


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="measured requests a scenario")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests before")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent keep-alive clients")
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn processes, on --port and the ports after"
    )
    parser.add_argument("--rounds", type=int, default=3, help="spread+hot pairs; medians count")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db-name", default="branchsite_bench")
    parser.add_argument(
        "--db-pool",
        type=int,
        default=8,
        metavar="MAX",
        help="DB_POOL_MAX_SIZE of the server: connections a worker may hold (0: no pool)",
    )
    parser.add_argument(
        "--settings",
        default="bench.settings",
        help="settings module of the server; it must keep ROOT_URLCONF = 'bench.urls'",
    )
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per batch at most")
    parser.add_argument(
        "--fail-below-target", action="store_true", help="exit 1 also when a ratio misses"
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(json.loads(args.load))
        return 0

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        refuse("set DATABASE_URL=postgresql://user@host:port/db (the bench needs PostgreSQL).")
    bench_url, maintenance_url = bench_database_url(database_url, args.db_name)
    recreate_database(maintenance_url, args.db_name)
    env = server_environment(args, bench_url)
    codes = set_up_data(env)

    # bare, spread, bare, hot, bare, spread, ...: every ticket run sits between two bare runs.
    plan = ["bare", *(["spread", "bare", "hot", "bare"] * args.rounds)]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-issue-") as tmp:
        log = Path(tmp) / "uvicorn.log"
        servers = []
        try:
            for port in server_ports(args):
                servers.append(start_server(env, port, 1, log.with_suffix(f".{port}.log")))
            for n, name in enumerate(plan, start=1):
                runs.append(run_scenario(name, args, codes, {s.pid for s in servers}))
                print(f"  run {n}/{len(plan)} {name}: {runs[-1].rps:.0f} req/s", file=sys.stderr)
        finally:
            for server in servers:
                stop_server(server)
            server_log = "".join(
                path.read_text(errors="replace") for path in sorted(Path(tmp).glob("*.log"))
            )

    print(
        f"bench_issue: {args.requests} requests a run after {args.warmup} warm-up, "
        f"{args.concurrency} clients over {args.workers} uvicorn processes, {os.cpu_count()} CPUs, "
        f"DB_POOL_MAX_SIZE={args.db_pool}"
    )
    print(
        f"{'run':<8}{'req/s':>9}{'s':>7}{'p50 ms':>8}{'p99 ms':>8}{'client':>8}{'server':>8}"
        f"{'db':>6}  statuses"
    )
    for run in runs:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses.items()))
        print(
            f"{run.scenario:<8}{run.rps:>9.0f}{run.seconds:>7.1f}{fmt_ms(run.p50_ms):>8}"
            f"{fmt_ms(run.p99_ms):>8}{fmt_ms(run.client_cpu_ms):>8}{fmt_ms(run.server_cpu_ms):>8}"
            f"{fmt_ms(run.db_cpu_ms):>6}  {statuses}"
        )
    all_met = True
    for name, values in ratios(runs).items():
        median = statistics.median(values)
        met = median >= TARGETS[name]
        all_met &= met
        each = " ".join(f"{value:.2f}" for value in values)
        print(
            f"{name}/bare: {each} -> median {median:.2f} "
            f"(target >= {TARGETS[name]}: {'meets' if met else 'MISSES'})"
        )

    failures = []
    errors = sum(run.errors for run in runs)
    if errors:
        failures.append(f"{errors} requests did not answer 201")
    failures += check_numbers()
    issued = ticket_count()
    expected = sum(run.created for run in runs if run.scenario != "bare")
    if issued != expected:
        failures.append(f"{issued} tickets in the database, but {expected} answers 201")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        if server_log.strip():
            print("uvicorn log (tail):\n" + server_log[-3000:])
        return 1
    print(f"numbers: {issued} tickets, no duplicate, no gap")
    if args.fail_below_target and not all_met:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
