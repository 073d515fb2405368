"""Real uvicorn processes for tests that need the product as it runs in production: several
processes, their own database connections, a channel layer between them."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from branchsite.server import UVICORN_FLAGS

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(*, application_name: str = "branchsite-test", **settings_env: str):
    """Production-shaped settings on the test database (PostgreSQL), tagged for pg_stat_activity."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            f"?application_name={application_name}"
        ),
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        **settings_env,
    }


def start_server(env: dict[str, str], port: int) -> tuple[subprocess.Popen, str | None]:
    """A uvicorn worker on `port`, once it answers; or its output if it refused to start."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "branchsite.asgi:application",
            "--port",
            str(port),
            *UVICORN_FLAGS,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/branches/", timeout=2):
                return server, None
        except OSError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    stop_server(server)
    return server, server.stdout.read().decode(errors="replace")  # type: ignore[union-attr]


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def post_in_parallel(
    url: str, body: bytes, *, count: int, headers: Callable[[], dict[str, str]]
) -> list[tuple[int, float]]:
    """POST `body` to `url` from `count` threads at once, each with `headers()` of its own:
    (status, seconds) of each answer, in the order they came."""
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def post() -> None:
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": "application/json", **headers()},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        with lock:
            answers.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers
