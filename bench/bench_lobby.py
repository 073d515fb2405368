"""The live lobby: how fast a call reaches the wall screens, what an idle screen costs, which layer.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/bench_lobby.py

Drops and recreates a database of its own (`branchsite_bench_lobby` on DATABASE_URL's server),
creates 50 always-open branches BENCH-L01...L50 (service A, counter 1 open, waiting tickets) and a
head-office user, then for each Redis channel layer (`--layer core|pubsub|both`, served through
BENCH_CHANNEL_LAYER in bench/settings.py):

    latency  uvicorn --workers 2. Wall screens /ws/screens/<code>/ spread evenly over the branches
             (`--sizes`, 50 then 500); paced call-next requests round-robin over the branches; for
             every screen of the called branch, the time from just before the request to the
             arrival of the `change` carrying that number.
    memory   uvicorn --workers 1. Its RSS with `--idle` idle screens open against its RSS after a
             warm-up of a few screens.

Exits 1 when a screen missed a call or a version, a request failed or the screens could not
connect; 2 when it cannot run (no PostgreSQL or Redis, the server does not start). Targets are
reported as MET or MISSES and do not change the exit status. See bench/README.md.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bench_issue import bench_database_url, recreate_database, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "branchsite_bench_lobby"
CODES = [f"BENCH-L{n:02d}" for n in range(1, 51)]
LAYERS = ("core", "pubsub")
# Keeps the bench's groups and channels apart from every other user of the same Redis.
CHANNELS_PREFIX = "bench-lobby"
STAFF_USERNAME = "bench-head-office"
STAFF_PASSWORD = "bench-only-password"
TICKETS_LEFT_WAITING = 5
WARM_SCREENS = 20  # open while the memory baseline is taken
CALL_TIMEOUT = 10.0  # seconds; a screen that has not shown a call by then missed it
TARGET_P99_MS = 100.0
TARGET_P99_GROWTH = 3.0
TARGET_KIB_PER_SCREEN = 100.0


def refuse(message: str) -> NoReturn:
    print(f"bench_lobby: {message}", file=sys.stderr)
    sys.exit(2)


# Client: wall screens and calls, in this process's event loop; no Django ------------------------


class Screens:
    """Wall-screen sockets spread evenly over branches, noting when each call reaches each one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections: list[Any] = []
        self.readers: list[asyncio.Task] = []
        self.per_branch: Counter[str] = Counter()
        self.arrivals: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self.all_arrived: defaultdict[tuple[str, str], asyncio.Event] = defaultdict(asyncio.Event)
        self.messages = 0
        self.problems: list[str] = []
        self.closing = False

    async def open(self, count: int, *, concurrency: int = 32) -> None:
        """Connect `count` more screens, the i-th on branch i mod 50; return once each has its
        snapshot."""
        gate = asyncio.Semaphore(concurrency)

        async def open_one(code: str) -> None:
            async with gate:
                await self._open(code)

        await asyncio.gather(*(open_one(CODES[i % len(CODES)]) for i in range(count)))

    async def _open(self, code: str) -> None:
        from websockets.asyncio.client import connect

        connection = await connect(
            f"ws://127.0.0.1:{self.port}/ws/screens/{code}/",
            origin=f"http://127.0.0.1:{self.port}",  # the server refuses other sites' pages
            proxy=None,
            # A browser sends no protocol-level pings of its own; the server's are answered.
            ping_interval=None,
            open_timeout=60,
        )
        snapshot = json.loads(await asyncio.wait_for(connection.recv(), 60))
        if snapshot.get("type") != "snapshot":
            raise RuntimeError(f"a screen of {code} got {snapshot!r} instead of a snapshot")
        self.connections.append(connection)
        self.per_branch[code] += 1
        self.readers.append(asyncio.create_task(self._read(connection, code, snapshot["version"])))

    async def _read(self, connection: Any, code: str, version: int) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for raw in connection:
                arrived = time.perf_counter()
                self.messages += 1
                message = json.loads(raw)
                if message.get("type") != "change":
                    self.problems.append(f"a screen of {code} got {message.get('type')!r}")
                    continue
                if message["version"] != version + 1:
                    self.problems.append(
                        f"a screen of {code} went from version {version} to {message['version']}"
                    )
                version = message["version"]
                if message["call"]:
                    key = (code, message["call"]["number"])
                    self.arrivals[key].append(arrived)
                    if len(self.arrivals[key]) == self.per_branch[code]:
                        self.all_arrived[key].set()
        if not self.closing:
            self.problems.append(f"the server closed a screen of {code}")

    async def wait_for_call(self, code: str, number: str) -> list[float]:
        """When the change carrying this call arrived, one time per screen that got it in time."""
        key = (code, number)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_arrived[key].wait(), CALL_TIMEOUT)
        self.all_arrived.pop(key, None)
        return self.arrivals.pop(key, [])

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)
        await asyncio.gather(*self.readers, return_exceptions=True)


@dataclass
class Calls:
    screen_ms: list[float] = field(default_factory=list)  # one a screen a call
    # The same arrivals from when the HTTP answer came (below zero: the screen was first): what
    # the broadcast adds to the request's own time.
    after_answer_ms: list[float] = field(default_factory=list)
    http_ms: list[float] = field(default_factory=list)  # one a call
    missed: int = 0  # (call, screen) pairs that never arrived
    errors: Counter[str] = field(default_factory=Counter)


async def make_calls(http: Any, screens: Screens, *, count: int, rate: float) -> Calls:
    """`count` call-next requests, `rate` a second, round-robin over the branches."""
    import httpx

    calls = Calls()

    async def call(code: str) -> None:
        sent = time.perf_counter()
        try:
            response = await http.post(f"/api/branches/{code}/counters/1/call-next/")
        except httpx.HTTPError as exc:
            calls.errors[type(exc).__name__] += 1
            return
        answered = time.perf_counter()
        calls.http_ms.append(1000 * (answered - sent))
        if response.status_code != 200:
            calls.errors[f"HTTP {response.status_code}"] += 1
            return
        called = response.json()
        arrivals = await screens.wait_for_call(code, called["number"])
        # A counter holds one customer at a time: free it for the branch's next call (unmeasured).
        await http.post(f"/api/tickets/{called['token']}/no-show/")
        calls.missed += screens.per_branch[code] - len(arrivals)
        calls.screen_ms += [1000 * (arrived - sent) for arrived in arrivals]
        calls.after_answer_ms += [1000 * (arrived - answered) for arrived in arrivals]

    started = time.perf_counter()
    pending = []
    for i in range(count):
        # Paced from the start, not from the last answer: a slow call does not hold up the next.
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        pending.append(asyncio.create_task(call(CODES[i % len(CODES)])))
    await asyncio.gather(*pending)
    return calls


@dataclass
class LatencyRun:
    layer: str
    screens: int
    calls: Calls
    server_cpu_ms: float  # uvicorn's processes, a call
    redis_cpu_ms: float  # the whole Redis server, a call
    client_cpu_ms: float  # this process, a message received (screen message or HTTP answer)
    problems: list[str]

    def screen_percentile(self, q: float) -> float | None:
        return percentile(self.calls.screen_ms, q)


@dataclass
class CpuClock:
    """CPU seconds spent so far by this process, the server's processes and Redis."""

    client: float
    server: float
    redis: float

    @classmethod
    def read(cls, server_pid: int, redis: Any) -> "CpuClock":
        info = redis.info("cpu")
        return cls(
            client=time.process_time(),
            server=session_cpu_seconds(server_pid),
            redis=info["used_cpu_user"] + info["used_cpu_sys"],
        )


async def measure_latency(
    layer: str, server_pid: int, redis: Any, size: int, args: argparse.Namespace
) -> LatencyRun:
    """`size` screens, then warm-up calls, then the measured calls."""
    import httpx

    screens = Screens(args.port)
    try:
        await screens.open(size)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{args.port}", timeout=30.0, trust_env=False
        ) as http:
            credentials = {"username": STAFF_USERNAME, "password": STAFF_PASSWORD}
            answer = await http.post("/api/auth/token/", json=credentials)
            if answer.status_code != 200:
                raise RuntimeError(f"no staff token: HTTP {answer.status_code} {answer.text}")
            http.headers["Authorization"] = f"Token {answer.json()['token']}"
            warm_up = await make_calls(http, screens, count=args.warmup, rate=args.rate)
            messages_before, before = screens.messages, CpuClock.read(server_pid, redis)
            measured = await make_calls(http, screens, count=args.calls, rate=args.rate)
            after = CpuClock.read(server_pid, redis)
            messages = screens.messages - messages_before + args.calls
    finally:
        await screens.close()
    # An error in the warm-up is an error all the same.
    measured.missed += warm_up.missed
    measured.errors += warm_up.errors
    return LatencyRun(
        layer=layer,
        screens=size,
        calls=measured,
        server_cpu_ms=1000 * (after.server - before.server) / args.calls,
        redis_cpu_ms=1000 * (after.redis - before.redis) / args.calls,
        client_cpu_ms=1000 * (after.client - before.client) / max(messages, 1),
        problems=screens.problems,
    )


@dataclass
class MemoryRun:
    layer: str
    screens: int
    baseline_kib: int
    loaded_kib: int
    problems: list[str]

    @property
    def kib_per_screen(self) -> float:
        return (self.loaded_kib - self.baseline_kib) / self.screens


async def measure_memory(layer: str, server_pid: int, args: argparse.Namespace) -> MemoryRun:
    """The server's RSS with `--idle` screens open, against its RSS after a warm-up."""
    screens = Screens(args.port)
    try:
        # The first sockets load code, fill caches and open pools: not a screen's own cost.
        await screens.open(WARM_SCREENS)
        baseline = await settled_rss_kib(server_pid)
        await screens.open(args.idle)
        loaded = await settled_rss_kib(server_pid)
    finally:
        await screens.close()
    return MemoryRun(layer, args.idle, baseline, loaded, screens.problems)


async def settled_rss_kib(pid: int) -> int:
    """The process's RSS once it stops moving: buffers of a burst are freed a little later."""
    await asyncio.sleep(3)
    previous = rss_kib(pid)
    for _ in range(20):
        await asyncio.sleep(1)
        current = rss_kib(pid)
        if abs(current - previous) < 256:
            break
        previous = current
    return current


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def session_cpu_seconds(session_id: int) -> float:
    """User and system CPU of every live process in a session: uvicorn and its workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state is 0, session 3, utime 11.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[3]) == session_id:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_client(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# Orchestrator ------------------------------------------------------------------------------------


def connect_redis(redis_url: str) -> Any:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        refuse(f"Redis at REDIS_URL does not answer: {exc}")
    return client


def forget_layer_state(redis: Any) -> None:
    """Drop what an interrupted run left under the bench's prefix: a group still listing dead
    screens would make every send to it slower."""
    keys = list(redis.scan_iter(match=f"{CHANNELS_PREFIX}*", count=1000))
    if keys:
        redis.delete(*keys)


def raise_open_file_limit(needed: int) -> None:
    """Every socket is a file on both ends; the server, started later, inherits the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        refuse(f"{needed} open files needed, the hard limit is {hard} (ulimit -Hn)")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": CHANNELS_PREFIX,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def set_up_data(env: dict[str, str], tickets_per_branch: int) -> None:
    """Migrate; create the head-office user and the branches with their waiting tickets."""
    # Issuing broadcasts each ticket: an in-process layer keeps that off Redis, and no pool keeps
    # this process from holding connections while the server runs.
    os.environ.update({**env, "REDIS_URL": "", "DB_POOL_MAX_SIZE": "0"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests import factories

    call_command("migrate", verbosity=0, interactive=False)
    staff = factories.make_head_office(username=STAFF_USERNAME)
    staff.set_password(STAFF_PASSWORD)
    staff.save()
    for code in CODES:
        branch = factories.make_branch(code, hours=factories.ALL_DAY)
        service = factories.make_service(branch, "A")
        factories.make_counter(branch, 1, [service])
        factories.issue(service, tickets_per_branch)
    connection.close()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def fmt(value: float | None, width: int = 8, digits: int = 1) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def met(ok: bool) -> str:
    return "MET" if ok else "MISSES"


def report_latency(runs: list[LatencyRun]) -> None:
    print(
        f"{'layer':<7}{'screens':>8}{'samples':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'http p50':>9}{'p99':>6}{'after p99':>10}{'server':>7}{'redis':>6}{'client':>7}"
        "  errors"
    )
    for run in runs:
        errors = [f"{kind}: {n}" for kind, n in sorted(run.calls.errors.items())]
        if run.calls.missed:
            errors.append(f"{run.calls.missed} missed")
        if run.problems:
            errors.append(f"{len(run.problems)} socket problems")
        errors_text = ", ".join(errors) or "none"
        print(
            f"{run.layer:<7}{run.screens:>8}{len(run.calls.screen_ms):>8}"
            f"{fmt(run.screen_percentile(0.5))}{fmt(run.screen_percentile(0.99))}"
            f"{fmt(max(run.calls.screen_ms, default=None))}"
            f"{fmt(percentile(run.calls.http_ms, 0.5), 9)}"
            f"{fmt(percentile(run.calls.http_ms, 0.99), 6)}"
            f"{fmt(percentile(run.calls.after_answer_ms, 0.99), 10)}{fmt(run.server_cpu_ms, 7)}"
            f"{fmt(run.redis_cpu_ms, 6)}{fmt(run.client_cpu_ms, 7, 2)}  {errors_text}"
        )
    for layer in dict.fromkeys(run.layer for run in runs):
        own = [run for run in runs if run.layer == layer]
        smallest, largest = own[0], own[-1]
        p99_small, p99_large = smallest.screen_percentile(0.99), largest.screen_percentile(0.99)
        if p99_small is None or p99_large is None:
            continue
        growth = p99_large / p99_small
        print(
            f"{layer}: p99 at {largest.screens} screens {p99_large:.1f} ms "
            f"(target <= {TARGET_P99_MS:.0f}: {met(p99_large <= TARGET_P99_MS)}); "
            f"p99({largest.screens})/p99({smallest.screens}) {growth:.2f} "
            f"(target <= {TARGET_P99_GROWTH:.0f}: {met(growth <= TARGET_P99_GROWTH)})"
        )


def report_memory(runs: list[MemoryRun]) -> None:
    for run in runs:
        grown = (run.loaded_kib - run.baseline_kib) / 1024
        print(
            f"memory {run.layer}: {run.baseline_kib / 1024:.1f} MiB after {WARM_SCREENS} screens, "
            f"+{grown:.1f} MiB with {run.screens} more -> {run.kib_per_screen:.1f} KiB a screen "
            f"(target <= {TARGET_KIB_PER_SCREEN:.0f}: "
            f"{met(run.kib_per_screen <= TARGET_KIB_PER_SCREEN)})"
        )


def compare_layers(latency: list[LatencyRun], memory: list[MemoryRun]) -> None:
    """pubsub against core, at the largest size; a ratio below 1.00 means pubsub does better."""
    largest = {run.layer: run for run in latency if run.screens == latency[-1].screens}
    if set(largest) != set(LAYERS):
        return
    core, pubsub = largest["core"], largest["pubsub"]
    figures = [
        ("p50 ms", core.screen_percentile(0.5), pubsub.screen_percentile(0.5)),
        ("p99 ms", core.screen_percentile(0.99), pubsub.screen_percentile(0.99)),
        ("server CPU ms a call", core.server_cpu_ms, pubsub.server_cpu_ms),
        ("Redis CPU ms a call", core.redis_cpu_ms, pubsub.redis_cpu_ms),
    ]
    idle = {run.layer: run.kib_per_screen for run in memory}
    if set(idle) == set(LAYERS):
        figures.append(("KiB an idle screen", idle["core"], idle["pubsub"]))
    print(f"layers at {core.screens} screens{'core':>17}{'pubsub':>9}  pubsub/core")
    for name, on_core, on_pubsub in figures:
        ratio = on_pubsub / on_core if on_core and on_pubsub is not None else None
        print(f"  {name:<29}{fmt(on_core, 9)}{fmt(on_pubsub, 9)}{fmt(ratio, 13, 2)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="measured calls a size")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured calls before")
    parser.add_argument("--rate", type=float, default=10.0, help="calls a second")
    parser.add_argument("--sizes", default="50,500", help="screens, comma-separated, ascending")
    parser.add_argument("--idle", type=int, default=2000, help="idle screens for the memory run")
    parser.add_argument("--layer", choices=[*LAYERS, "both"], default="both")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--redis-py8-fix",
        action="store_true",
        help="serve with BENCH_REDIS_PY8_FIX=1: the Redis pool settings of bench/settings.py",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    layers = LAYERS if args.layer == "both" else (args.layer,)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        refuse("set DATABASE_URL=postgresql://user@host:port/db: the bench needs PostgreSQL.")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        refuse("set REDIS_URL=redis://host:port/db: the layers it compares live in Redis.")
    redis = connect_redis(redis_url)
    raise_open_file_limit(2 * (max(sizes) + args.idle + WARM_SCREENS) + 1000)
    bench_url, maintenance_url = bench_database_url(database_url, DB_NAME)
    import psycopg

    try:
        recreate_database(maintenance_url, DB_NAME)
    except psycopg.Error as exc:
        refuse(f"cannot recreate {DB_NAME}: {exc}")
    env = server_environment(bench_url, redis_url)
    if args.redis_py8_fix:
        env["BENCH_REDIS_PY8_FIX"] = "1"
    calls_a_branch = math.ceil((args.warmup + args.calls) / len(CODES)) * len(sizes) * len(layers)
    print(f"  setting up {len(CODES)} branches", file=sys.stderr)
    set_up_data(env, calls_a_branch + TICKETS_LEFT_WAITING)

    latency: list[LatencyRun] = []
    memory: list[MemoryRun] = []
    failures: list[str] = []
    server_logs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-lobby-") as tmp:
        log = Path(tmp) / "uvicorn.log"

        @contextlib.contextmanager
        def serving(layer: str, workers: int) -> Iterator[int]:
            forget_layer_state(redis)
            server_env = {**env, "BENCH_CHANNEL_LAYER": layer}
            server = start_server(server_env, args.port, workers, log)
            try:
                yield server.pid
            finally:
                stop_server(server)
                server_logs.append(log.read_text(errors="replace"))

        for layer in layers:
            try:
                with serving(layer, workers=2) as pid:
                    for size in sizes:
                        print(f"  {layer}: {size} screens", file=sys.stderr)
                        latency.append(run_client(measure_latency(layer, pid, redis, size, args)))
                if not args.skip_memory:
                    with serving(layer, workers=1) as pid:
                        print(f"  {layer}: {args.idle} idle screens", file=sys.stderr)
                        memory.append(run_client(measure_memory(layer, pid, args)))
            except Exception as exc:
                failures.append(f"{layer}: {type(exc).__name__}: {exc}")

    print(
        f"bench_lobby: {len(CODES)} branches; {args.calls} calls a size at {args.rate:g}/s after "
        f"{args.warmup} warm-up calls; uvicorn --workers 2, memory --workers 1; "
        f"{os.cpu_count()} CPUs; Redis pool "
        + ("with BENCH_REDIS_PY8_FIX" if args.redis_py8_fix else "as the product sets it")
    )
    print(
        "ms: from just before call-next to the change on each screen of the branch; http: the "
        "request; after: screen arrival after the HTTP answer; server, redis: CPU ms a call; "
        "client: CPU ms a message received"
    )
    report_latency(latency)
    report_memory(memory)
    compare_layers(latency, memory)

    for run in latency:
        where = f"{run.layer}, {run.screens} screens"
        if run.calls.missed:
            failures.append(f"{where}: {run.calls.missed} (call, screen) pairs missed")
        if run.calls.errors:
            failures.append(f"{where}: call-next failed {dict(run.calls.errors)}")
        if run.problems:
            failures.append(
                f"{where}: {len(run.problems)} socket problems, first: {run.problems[0]}"
            )
    for run in memory:
        if run.problems:
            failures.append(
                f"{run.layer}, idle screens: {len(run.problems)} socket problems, "
                f"first: {run.problems[0]}"
            )
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        for text in server_logs:
            if "Traceback" in text:
                print("uvicorn log (tail):\n" + text[-2000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
