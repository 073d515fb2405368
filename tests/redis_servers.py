"""A redis-server of a test's own, to put to sleep or restart without touching the shared one."""

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.conftest import _missing
from tests.servers import free_port


class OwnRedis:
    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            _missing("it needs redis-server on the PATH (apt-get install redis-server)")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,  # type: ignore[list-item]
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--dir", str(self.folder)),
                # Redis 7 refuses DEBUG unless told otherwise.
                *("--enable-debug-command", "local"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def put_to_sleep(self, seconds: int) -> threading.Thread:
        """DEBUG SLEEP on a connection of its own: Redis answers nobody until it wakes."""

        def sleep() -> None:
            with socket.create_connection(("127.0.0.1", self.port)) as conn:
                conn.sendall(f"DEBUG SLEEP {seconds}\r\n".encode())
                conn.recv(64)

        sleeper = threading.Thread(target=sleep, daemon=True)
        sleeper.start()
        time.sleep(0.3)  # the command has reached Redis
        return sleeper
