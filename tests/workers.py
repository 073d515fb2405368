"""Real Celery workers for the tests that need one: separate processes on the Redis broker,
against the test database (PostgreSQL)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def celery_workers(
    tmp_path: Path, queue: str, count: int = 1, loglevel: str = "WARNING", **env: str
) -> Iterator[None]:
    """`count` real Celery workers on a queue of their own (which they also enqueue to), against
    the test database and the test's Redis; each logs to `tmp_path`/worker-<n>.log."""
    db = settings.DATABASES["default"]
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **env,
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "branchsite",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}-{number}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                f"--loglevel={loglevel}",
            ],
            cwd=ROOT,
            env=environment,
            stdout=(tmp_path / f"worker-{number}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for number in range(count)
    ]
    try:
        yield
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
