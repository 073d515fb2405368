"""The README's two commands, run the way a new user runs them: in a fresh clone, with nothing
configured, so the product comes up on its embedded defaults (SQLite, in-process channel layer,
Celery on the file-system broker).

A clone holds only what is committed: these tests check HEAD, not the working tree. Both tests share
one clone, so the first `make` installs the virtualenv and the second reuses it.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _missing

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIRST_START_SECONDS = 240  # includes creating .venv and installing every dependency
STOP_SECONDS = 15

# What a new user's shell would not have: service URLs, an active virtualenv, and what pytest and
# an outer `make` put into this process's environment.
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "VIRTUAL_ENV",
    "DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_SETTINGS_MODULE",
    "BRANCHSITE_VAR_DIR",
    "PORT",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "MAKEOVERRIDES",
}


def new_user_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_INHERITED and not name.startswith("PYTEST_")
    }
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["PATH"] = os.pathsep.join(
            part for part in env.get("PATH", "").split(os.pathsep) if not part.startswith(venv)
        )
    return {**env, **extra}


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    for tool in ("git", "make"):
        if shutil.which(tool) is None:
            _missing(f"it needs `{tool}` on PATH")
    if not (ROOT / ".git").exists():
        _missing(f"it clones the repository, and {ROOT} is not a git checkout")
    # Only committed files reach the clone: this is what a new user gets.
    path = tmp_path_factory.mktemp("fresh-clone") / "branchsite"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(path)], check=True, timeout=120)
    yield path
    shutil.rmtree(path, ignore_errors=True)  # the virtualenv alone is a few hundred MB


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def session_processes(session: int) -> list[int]:
    """Live processes of a session: everything `make run` started, including orphans."""
    if Path("/proc").is_dir():
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            # Fields after the parenthesised name: state, ppid, pgrp, session, ...
            state, _ppid, _pgrp, sid = stat.rsplit(")", 1)[1].split()[:4]
            if int(sid) == session and state != "Z":
                found.append(int(entry.name))
        return found
    listing = subprocess.run(["ps", "-A", "-o", "pid="], capture_output=True, text=True).stdout
    found = []
    for pid in map(int, listing.split()):
        try:
            if os.getsid(pid) == session:
                found.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    return found


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_make_run_serves_the_api_docs_and_admin_and_stops_on_ctrl_c(clone, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"

    def output() -> str:
        return log.read_text(errors="replace")

    with log.open("wb") as out:
        make = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=new_user_env(PORT=str(port)),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own session and group, like a terminal's job
        )
    try:
        deadline = time.monotonic() + FIRST_START_SECONDS
        branches = None
        while branches is None:
            assert make.poll() is None, f"make run exited with {make.returncode}:\n{output()}"
            assert time.monotonic() < deadline, f"no answer at {base}/ in time:\n{output()}"
            try:
                status, body = get(f"{base}/api/branches/")
            except OSError:
                time.sleep(0.5)
                continue
            assert status == 200
            branches = json.loads(body)
        assert len(branches) >= 6, branches

        pages = ("/", "/branches/GZ-TH01/", "/screens/GZ-TH01/", "/accounts/login/")
        for path in (*pages, "/api/docs/", "/admin/login/"):
            assert get(f"{base}{path}")[0] == 200, path

        # The banner follows the server's first answer; the worker and beat start alongside.
        ready = [
            f"{base}/screens/GZ-TH01/",
            f"{base}/lobby/GZ-TH01/",
            f"{base}/api/branches/",
            f"{base}/api/docs/",
            f"{base}/api/schema/",
            f"{base}/admin/",
            "Press Ctrl-C to stop.",
        ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = output()
            worker_ready = re.search(r"^\s*worker \| .*celery@\S+ ready\.", text, re.M)
            beat_ready = re.search(r"^\s*beat \| .*beat: Starting\.\.\.", text, re.M)
            if worker_ready and beat_ready and all(line in text for line in ready):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the worker, beat or the URLs did not show up:\n{output()}")
        text = output()
        for login in (r"\badmin\b", r"\bteller-gz-th01\b", r"\blobby-gz-th01\b", "demo-pass-2026"):
            assert re.search(login, text), f"no demo login {login!r} in:\n{text}"

        running = session_processes(make.pid)
        # make, the supervisor, the server, the worker with its pool, and beat.
        assert len(running) >= 5, running

        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        deadline = time.monotonic() + STOP_SECONDS
        while session_processes(make.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_processes(make.pid) == [], f"still running after Ctrl-C:\n{output()}"
        assert make.wait(timeout=1) != 0
        assert port_is_free(port)
        assert "stopping on SIGINT" in output()
        assert "on its own" not in output(), output()
    finally:
        for pid in session_processes(make.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if make.poll() is None:
            make.wait(timeout=5)


def test_make_test_runs_the_tests_in_the_same_fresh_clone(clone):
    # A small file, never this one: the clone would clone itself again.
    result = subprocess.run(
        ["make", "test", "PYTEST_ARGS=tests/test_settings.py"],
        cwd=clone,
        env=new_user_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=FIRST_START_SECONDS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^=+ \d+ passed", result.stdout, re.M), result.stdout
