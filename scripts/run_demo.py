"""Run the demo's programs together until Ctrl-C: the ASGI server, a Celery worker, Celery beat.

`make run` calls this after migrating and seeding. Each program runs in a process group of its
own. Ctrl-C (SIGINT), SIGTERM and SIGHUP are passed on to every program, which stops what it
started (Celery's worker drains its pool); after a grace period, or at once on a second Ctrl-C,
each whole group is killed, so nothing is left behind. If a program exits on its own, the others
are stopped the same way and this exits non-zero.

Standard library only, and nothing from the project: this process only supervises.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import IO

from branchsite.server import UVICORN_FLAGS

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GRACE_SECONDS = 10.0
# The demo writes customers' text messages to a file (README.md, "Text messages").
FILE_BACKEND = "branchsite.infra.notifications.backends.file.FileBackend"
SERVER_START_SECONDS = 60.0

# The surfaces that exist so far; add a line when a new one lands.
SURFACES = [
    ("Branch finder (customers)", "/"),
    ("Branch page: take a ticket, book", "/branches/GZ-TH01/"),
    ("Wall screen", "/screens/GZ-TH01/"),
    ("Counter page (teller-gz-th01)", "/counter/GZ-TH01/1/"),
    ("Lobby board (lobby-gz-th01)", "/lobby/GZ-TH01/"),
    ("Staff login", "/accounts/login/"),
    ("Authenticator app (staff)", "/accounts/two-factor/"),
    ("API", "/api/branches/"),
    ("API docs", "/api/docs/"),
    ("API schema", "/api/schema/"),
    ("Admin", "/admin/"),
    ("Reserved cash (admin)", "/admin/queueing/appointment/reserved-cash/"),
]


def programs(port: int, var_dir: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [
            python,
            "-m",
            "uvicorn",
            "branchsite.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            *UVICORN_FLAGS,
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "branchsite",
            "worker",
            "--concurrency=2",
            "--loglevel=INFO",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "branchsite",
            "beat",
            "--loglevel=INFO",
            f"--schedule={var_dir / 'celerybeat-schedule'}",
        ],
    }


class Supervisor:
    def __init__(self, commands: dict[str, list[str]]) -> None:
        self.commands = commands
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.pumps: list[threading.Thread] = []
        self.output_lock = threading.Lock()
        self.stopping = threading.Event()
        self.stop_signal: int | None = None
        self.kill_now = False
        self.width = max(len(name) for name in [*commands, "run"])

    def say(self, name: str, line: str) -> None:
        with self.output_lock:
            sys.stdout.write(f"{name:>{self.width}} | {line}\n")
            sys.stdout.flush()

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        elif signum == signal.SIGINT:
            self.kill_now = True
        self.stopping.set()

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in self.commands.items():
            child = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
            self.children[name] = child
            assert child.stdout is not None
            pump = threading.Thread(target=self.pump, args=(name, child.stdout), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.say(name, raw.decode(errors="replace").rstrip("\n"))

    def first_to_exit(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def signal_groups(self, signum: int) -> None:
        for child in self.children.values():
            # An empty group is already stopped.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signum)

    def running(self) -> bool:
        return any(child.poll() is None for child in self.children.values())

    def stop(self, signum: int) -> None:
        """Ask each program to stop, then kill its whole group.

        The signal goes to the program, which stops what it started (Celery's worker drains its
        pool); SIGKILL then goes to each group, for a program that did not stop in time and for
        anything a stopped program left behind.
        """
        self.stopping.set()
        for child in self.children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signum)
        deadline = time.monotonic() + GRACE_SECONDS
        while self.running() and time.monotonic() < deadline and not self.kill_now:
            time.sleep(0.1)
        if self.running():
            self.say("run", "killing what is still running")
        self.signal_groups(signal.SIGKILL)
        for child in self.children.values():
            child.wait()
        for pump in self.pumps:
            pump.join(timeout=2)

    def announce_when_up(self, port: int, banner: Path | None) -> None:
        base = f"http://{HOST}:{port}"
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not self.stopping.is_set():
            try:
                with urllib.request.urlopen(f"{base}/admin/login/", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.say("run", f"the server did not answer at {base}/ within 60 s")
                    return
                self.stopping.wait(0.3)
        if self.stopping.is_set():
            return
        lines = ["", "branchsite is running:"]
        width = max(len(label) for label, _ in SURFACES)
        lines += [f"  {label:<{width}}  {base}{path}" for label, path in SURFACES]
        if os.environ.get("NOTIFICATION_BACKEND") == FILE_BACKEND:
            messages = os.environ["NOTIFICATION_FILE_PATH"]
            lines += ["", f"Text messages to customers are written to {messages}"]
        if banner is not None and banner.exists():
            lines += ["", *banner.read_text().rstrip().splitlines()]
        lines += ["", "Press Ctrl-C to stop.", ""]
        with self.output_lock:
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()

    def run(self, port: int, banner: Path | None) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.on_signal)
        try:
            self.start()
        except OSError as error:
            self.say("run", f"could not start: {error}")
            self.stop(signal.SIGTERM)
            return 1
        threading.Thread(target=self.announce_when_up, args=(port, banner), daemon=True).start()

        exited = None
        while self.stop_signal is None and exited is None:
            exited = self.first_to_exit()
            time.sleep(0.1)
        if self.stop_signal is not None:
            self.say("run", f"stopping on {signal.Signals(self.stop_signal).name}")
            self.stop(self.stop_signal)
            return -self.stop_signal
        assert exited is not None
        name, code = exited
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"
        self.say("run", f"{name} {how} on its own; stopping the others")
        self.stop(signal.SIGTERM)
        return code if code > 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--banner", type=Path, help="a text file to print below the URLs once the server answers"
    )
    args = parser.parse_args()
    port = int(os.environ.get("PORT") or 8000)
    var_dir = Path(os.environ.get("BRANCHSITE_VAR_DIR") or ROOT / "var")
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NOTIFICATION_BACKEND", FILE_BACKEND)
    os.environ.setdefault("NOTIFICATION_FILE_PATH", str(var_dir / "notifications.jsonl"))

    code = Supervisor(programs(port, var_dir)).run(port, args.banner)
    if code < 0:
        # Die by the same signal, so the caller (make, a shell) sees an interrupt, not an error.
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()
