"""Browser tests: the system Chromium, driven by Playwright's sync API, against the real ASGI
application that uvicorn serves from a thread of the test process.

Sharing the process means sharing the test database and the channel layer (in memory, or Redis
when REDIS_URL is set). Tests use `transactional_db`, so what they write is committed and the
server's threads read it.

Running beside the server and a browser has three consequences:
- On SQLite the test database is a file in WAL mode (tests/conftest.py says why), so the server's
  threads wait for each other's writes as in production.
- Playwright's sync API keeps its event loop marked as running on the main thread. Django then
  refuses ORM calls there (SynchronousOnlyOperation), although the tests are plain synchronous
  code, so DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser runs. `async_to_sync`, which every
  broadcast uses, refuses that thread too: service calls go through `in_thread`.
- The in-memory channel layer wakes a socket only from the server's own event loop. While the
  server runs, tests change the lobby over HTTP, as any client does (`api_post`); direct service
  calls are for setting up and for while the server is down.
"""

import contextlib
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from branchsite.asgi import application
from tests import factories
from tests.conftest import _missing

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
except ImportError:  # checked in pytest_runtest_setup, with a clear reason
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # The wall screen chimes without anyone touching it.
    "--autoplay-policy=no-user-gesture-required",
]
HOST = "127.0.0.1"
# Long enough for a page on a busy 2-core machine, short enough that a broken page fails fast.
DEFAULT_TIMEOUT_MS = 8000


def pytest_runtest_setup(item: pytest.Item) -> None:
    if not CHROMIUM.exists():
        _missing(f"it needs Chromium at {CHROMIUM} (apt-get install chromium)")
    if sync_playwright is None:
        _missing("it needs the playwright package (pip install -e '.[dev]')")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    # Only for a test that passed: a failure already says what went wrong.
    errors = item.funcargs.get("console_errors")
    if isinstance(errors, ConsoleErrors):
        errors.assert_none()
    return result


# The server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class LiveServer:
    """uvicorn in a thread of this process; `down()` takes it away and brings it back on the
    same port, as a restart or a network outage would. It counts the HTTP requests it is
    answering, so that a test ends only once the server is quiet (`wait_until_quiet`)."""

    def __init__(self, application: Any) -> None:
        self.in_flight = 0
        self._counting = threading.Lock()

        async def counted(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await application(scope, receive, send)
                return
            with self._counting:
                self.in_flight += 1
            try:
                await application(scope, receive, send)
            finally:
                with self._counting:
                    self.in_flight -= 1

        self.application = counted
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.application,
            host=HOST,
            port=self.port,
            log_level="warning",
            # Channels' router speaks http and websocket only.
            lifespan="off",
            # Open sockets get a close frame; a browser that never answers must not hold us up.
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, name=f"uvicorn-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None, "the server never started"
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._thread.is_alive():
            raise RuntimeError(f"uvicorn on {self.url} did not stop")

    def wait_until_quiet(self, *, settle: float = 0.15, timeout: float = 5.0) -> None:
        """Wait for requests a page sent as it closed (a held action goes out with keepalive)
        to be answered: the test database is emptied next, and a write meanwhile deadlocks."""
        time.sleep(settle)
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.02)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()


@pytest.fixture(scope="package")
def _running_server(django_db_setup) -> Iterator[LiveServer]:
    # Static files straight from the app folders, as `runserver` serves them: the tests need
    # no collectstatic.
    server = LiveServer(ASGIStaticFilesHandler(application))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(_running_server: LiveServer, transactional_db) -> LiveServer:
    return _running_server


@pytest.fixture
def in_thread() -> Callable[..., Any]:
    """Runs `function(*args, **kwargs)` in a thread of its own and returns its result."""

    def run(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            try:
                return function(*args, **kwargs)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(call).result()

    return run


@pytest.fixture
def api_post(server: LiveServer) -> Callable[..., tuple[int, Any]]:
    """POSTs JSON to the live server, as `user` (with an API token) or anonymously; returns
    (status, parsed body)."""

    def post(path: str, body: dict | None = None, *, user=None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            headers["Authorization"] = f"Token {token.key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(server.url + path, data, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, json.loads(text) if text else None

    return post


# The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator["Browser"]:
    # Package scope: the event loop Playwright leaves marked as running must be gone before the
    # tests of other folders run (they use asyncio and the ORM on this thread).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


class ConsoleErrors:
    """What the pages of a test logged as errors or threw; any of them fails the test, except
    what the test said to expect."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.expected: list[re.Pattern] = []

    def expect(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def watch(self, page: "Page") -> None:
        def on_console(message: "ConsoleMessage") -> None:
            source = message.location.get("url") or page.url
            # The browser asks for /favicon.ico by itself; the site has none (yet).
            if message.type == "error" and not source.endswith("/favicon.ico"):
                self.seen.append(f"{source}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.seen.append(f"{page.url}: uncaught {error}"))

    def assert_none(self) -> None:
        unexpected = [line for line in self.seen if not any(p.search(line) for p in self.expected)]
        assert not unexpected, "the browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def new_page(
    browser: "Browser", server: LiveServer, console_errors: ConsoleErrors
) -> Iterator[Callable[..., "Page"]]:
    """`new_page(user=…, **context_options)`: a page in a fresh browser context, logged in as
    `user` if given. Relative URLs go to the live server."""
    contexts = []

    def open_page(*, user=None, **context_options: Any) -> "Page":
        context = browser.new_context(base_url=server.url, **context_options)
        contexts.append(context)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        if user is not None:
            # A session made the way the login form makes it, without typing into the form.
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "domain": HOST,
                        "path": "/",
                    }
                ]
            )
        page = context.new_page()
        console_errors.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if contexts:
        server.wait_until_quiet()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[["Page", str], Path]:
    """Saves what a page shows as test-artifacts/screenshots/<test>-<label>.png."""

    def take(page: "Page", label: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{label}.png"
        page.screenshot(path=path)
        return path

    return take


@pytest.fixture
def wealth(branch):
    """A service that takes bookings, two customers per half hour."""
    return factories.make_service(
        branch, "C", name_en="Wealth management", name_zh="理财", appointment_capacity=2
    )
