"""Customers are told by text message, even with the page closed: near the front, when called,
and before an appointment; once per event, in their language, never from inside a request, and
never again once they say stop.

Most tests run the tasks in this process, as Celery's eager mode does, once the change commits;
the last ones run real Celery workers on Redis against PostgreSQL and read the file backend.
"""

import json
import re
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client

from branchsite.celery import app
from branchsite.infra import notifications
from branchsite.infra.notifications import NotificationNotSent, TextMessage
from branchsite.infra.notifications.backends.file import FileBackend
from branchsite.infra.notifications.backends.http import HttpGatewayBackend
from queueing import services, tasks
from queueing.models import Notification, NotificationSubscription, Ticket
from tests import factories
from tests.workers import celery_workers

from .appointments.clock import GUANGZHOU, NOW, at

SITE_URL = "https://queue.example.cn"  # the links in the texts, here and in the workers

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
SECRET = "a-shared-secret-of-the-gateway"
LOCMEM = "branchsite.infra.notifications.backends.locmem.LocmemBackend"
FILE = "branchsite.infra.notifications.backends.file.FileBackend"
HTTP = "branchsite.infra.notifications.backends.http.HttpGatewayBackend"


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.NOTIFICATION_BACKEND = LOCMEM
    settings.NOTIFY_PLACES_BEFORE_FRONT = 3
    settings.SITE_URL = SITE_URL
    notifications.outbox.clear()
    yield notifications.outbox
    notifications.outbox.clear()


@pytest.fixture(autouse=True)
def _task_errors_are_raised():
    """A task that fails here fails the test, as a worker would log it."""
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_eager_propagates = propagates


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block left for after its commit, as it would once the
    request's transaction commits: the tasks enqueued run (eagerly, like a worker)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


class Broker:
    """Stands in for Celery's broker: tasks wait here until a worker (`work`) takes them."""

    def __init__(self, committed) -> None:
        self.waiting: list[tuple] = []
        self.committed = committed

    def work(self, *only) -> None:
        """Run the waiting tasks, and those they enqueue; with `only`, just those tasks."""
        kept = []
        while self.waiting:
            task, args = self.waiting.pop(0)
            if only and task not in only:
                kept.append((task, args))
            else:
                with self.committed():  # what a task enqueues follows its commit
                    task.apply(args=args)
        self.waiting[:0] = kept


@pytest.fixture
def broker(monkeypatch, committed) -> Broker:
    broker = Broker(committed)
    for task in (tasks.notify_after_ticket_change, tasks.send_notification):
        monkeypatch.setattr(
            task, "delay", lambda *args, task=task: broker.waiting.append((task, args))
        )
    return broker


def opt_in(api, ticket: Ticket, phone: str = PHONE, language: str = "en"):
    return api.post(
        f"/api/tickets/{ticket.token}/notifications/",
        {"phone": phone},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def serve_and_call_next(counter, teller, times: int = 1) -> list[Ticket]:
    """The teller serves the customer at the counter, if any, and calls the next."""
    called = []
    for _ in range(times):
        current = Ticket.objects.filter(counter=counter, status__in=["called", "serving"]).first()
        if current is not None:
            if current.status == "called":
                current = services.ticket_start(ticket=current, actor=teller)
            services.ticket_finish(ticket=current, actor=teller)
        called.append(services.ticket_call_next(counter=counter, actor=teller))
    return called


def texts(outbox) -> list[str]:
    return [message.text for message in outbox]


# Near the front, and called ---------------------------------------------------------------------


def test_a_customer_is_texted_once_when_three_places_from_the_front_and_not_again(
    api, cash, counter, teller, outbox, committed
):
    tickets = factories.issue(cash, 6)
    mine = tickets[5]
    with committed():
        assert opt_in(api, mine).status_code == 200
        serve_and_call_next(counter, teller, times=2)
    assert outbox == []  # fourth in line

    with committed():
        serve_and_call_next(counter, teller)
    (message,) = outbox
    assert message.phone == PHONE
    assert message.key == f"ticket:{mine.pk}:near_front"
    assert message.text == (
        f"Tianhe Sub-branch: ticket {mine.number} is now number 3 in the queue. Please make your "
        f"way to the branch. https://queue.example.cn/t/{mine.token}/ Reply TD to stop."
    )

    with committed():
        serve_and_call_next(counter, teller)
    assert len(outbox) == 1  # second in line now: nothing new


def test_a_called_customer_is_texted_the_counter_to_go_to(
    api, cash, counter, teller, outbox, committed
):
    (mine,) = factories.issue(cash)
    with committed():
        opt_in(api, mine)
    assert [m.key for m in outbox] == [f"ticket:{mine.pk}:near_front"]  # first in line at once

    with committed():
        serve_and_call_next(counter, teller)
        services.ticket_recall(ticket=Ticket.objects.get(pk=mine.pk), actor=teller)
    assert [m.key for m in outbox][1:] == [f"ticket:{mine.pk}:called"]  # a recall: no second text
    assert outbox[1].text == (
        f"Tianhe Sub-branch: ticket {mine.number} is being called. Please go to counter 1 now. "
        f"https://queue.example.cn/t/{mine.token}/ Reply TD to stop."
    )


def test_messages_are_in_the_language_the_customer_opted_in_with(
    api, cash, counter, teller, outbox, committed
):
    chinese, english = factories.issue(cash, 2)
    with committed():
        opt_in(api, chinese, phone="13900000001", language="zh-hans")
        opt_in(api, english, phone="13900000002", language="en")
    with committed():
        serve_and_call_next(counter, teller)
    to_chinese = [m.text for m in outbox if m.phone == "13900000001"]
    to_english = [m.text for m in outbox if m.phone == "13900000002"]
    assert to_chinese == [
        f"天河支行：{chinese.number}号现排第1位，请尽快前往网点。"
        f"https://queue.example.cn/t/{chinese.token}/ 回复TD退订",
        f"天河支行：正在叫{chinese.number}号，请立即到1号柜台办理。"
        f"https://queue.example.cn/t/{chinese.token}/ 回复TD退订",
    ]
    assert to_english == [
        f"Tianhe Sub-branch: ticket {english.number} is now number 2 in the queue. Please make "
        f"your way to the branch. https://queue.example.cn/t/{english.token}/ Reply TD to stop."
    ]
    assert NotificationSubscription.objects.get(ticket=chinese).language == "zh-hans"


def test_a_ticket_moved_to_another_queue_keeps_its_texts_there(
    api, cash, non_cash, counter, teller, outbox, committed
):
    ahead = factories.issue(non_cash, 3)
    mine, *_ = factories.issue(cash, 1)
    factories.issue(cash, 3)
    with committed():
        opt_in(api, mine)
    outbox.clear()  # first of queue A, but fourth to be called: no text yet
    with committed():
        successor = services.ticket_transfer(ticket=mine, to_service=non_cash, actor=teller)
    for _ in range(len(ahead) + 1):
        with committed():
            serve_and_call_next(counter, teller)
    assert [m.key for m in outbox] == [
        f"ticket:{successor.pk}:near_front",
        f"ticket:{successor.pk}:called",
    ]
    assert f"/t/{successor.token}/" in outbox[-1].text
    body = api.get(f"/api/tickets/{successor.token}/").json()
    assert body["notifications"] == {"subscribed": True, "phone": "138****5678"}


def test_a_message_no_longer_true_when_its_turn_comes_is_withdrawn_not_sent(
    api, cash, counter, teller, outbox, broker, committed
):
    (mine,) = factories.issue(cash)
    with committed():
        opt_in(api, mine)
    broker.work(tasks.notify_after_ticket_change)  # writes "near the front"; its sending waits
    with committed():
        serve_and_call_next(counter, teller)
    broker.work()
    assert [m.key for m in outbox] == [f"ticket:{mine.pk}:called"]
    near_front = Notification.objects.get(key=f"ticket:{mine.pk}:near_front")
    assert near_front.status == Notification.Status.WITHDRAWN


# Once per event ---------------------------------------------------------------------------------


def test_nothing_is_sent_inside_the_request_only_by_the_tasks_after_it(
    api, teller_api, cash, counter, outbox, broker, committed
):
    (mine,) = factories.issue(cash)
    with committed():
        assert opt_in(api, mine).status_code == 200
    assert outbox == []  # the request stored the phone and enqueued a task, once committed
    assert NotificationSubscription.objects.get(ticket=mine).phone == PHONE
    assert [task for task, _args in broker.waiting] == [tasks.notify_after_ticket_change]
    broker.work()
    assert [m.key for m in outbox] == [f"ticket:{mine.pk}:near_front"]

    with committed():
        assert teller_api.post("/api/branches/GZ-TH01/counters/1/call-next/").status_code == 200
    assert len(outbox) == 1
    broker.work()
    assert [m.key for m in outbox][1:] == [f"ticket:{mine.pk}:called"]


def test_an_event_whose_tasks_run_twice_is_texted_once(
    api, cash, counter, teller, outbox, broker, committed
):
    (mine,) = factories.issue(cash)
    with committed():
        opt_in(api, mine)
    broker.waiting *= 2  # each task enqueued twice
    broker.work()
    with committed():
        serve_and_call_next(counter, teller)
    broker.waiting *= 2
    broker.work()
    for notification in Notification.objects.all():  # and every message's sending once more
        tasks.send_notification.apply(args=(notification.pk,))
    assert [m.key for m in outbox] == [
        f"ticket:{mine.pk}:near_front",
        f"ticket:{mine.pk}:called",
    ]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


# Opting in and out ------------------------------------------------------------------------------


def test_the_ticket_says_whether_its_holder_is_texted_with_the_phone_masked(api, cash):
    (mine,) = factories.issue(cash)
    assert api.get(f"/api/tickets/{mine.token}/").json()["notifications"] == {
        "subscribed": False,
        "phone": None,
    }
    answer = opt_in(api, mine, phone="+86 138-1234-5678").json()
    assert answer["notifications"] == {"subscribed": True, "phone": "138****5678"}
    assert api.get(f"/api/tickets/{mine.token}/").json()["notifications"]["subscribed"] is True
    page = Client().get(f"/t/{mine.token}/")
    assert b'id="notify-form"' in page.content


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"phone": "12345"}, 400, "invalid_phone"),
        ({"phone": "138 1234 567x"}, 400, "invalid_phone"),
        ({"phone": ""}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_an_opt_in_with_a_phone_that_is_not_one_is_a_400_with_its_code(
    api, cash, body, status, code
):
    (mine,) = factories.issue(cash)
    response = api.post(f"/api/tickets/{mine.token}/notifications/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not NotificationSubscription.objects.exists()


def test_a_ticket_no_longer_waiting_cannot_be_opted_in_and_an_unknown_one_is_a_404(
    api, cash, counter, teller
):
    (mine,) = factories.issue(cash)
    serve_and_call_next(counter, teller)
    response = opt_in(api, mine)
    assert (response.status_code, response.json()["code"]) == (409, "ticket_not_waiting")
    assert api.post("/api/tickets/nope/notifications/", {"phone": PHONE}).status_code == 404


def test_opting_in_too_often_from_one_phone_is_refused_with_a_retry_time(api, cash, settings):
    settings.NOTIFICATION_OPT_INS_PER_PHONE_PER_DAY = 2
    first, second, third = factories.issue(cash, 3)
    assert opt_in(api, first).status_code == 200
    assert opt_in(api, first).status_code == 200  # the same again costs nothing
    assert opt_in(api, second).status_code == 200
    response = opt_in(api, third)
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert "Retry-After" in response.headers


def test_a_customer_who_stops_the_texts_gets_no_more(
    api, cash, counter, teller, outbox, broker, committed
):
    _ahead, mine = factories.issue(cash, 2)
    with committed():
        opt_in(api, mine)
    broker.work(tasks.notify_after_ticket_change)  # "near the front" written, not sent yet
    answer = api.delete(f"/api/tickets/{mine.token}/notifications/")
    assert answer.status_code == 200
    assert answer.json()["notifications"] == {"subscribed": False, "phone": None}
    assert api.delete(f"/api/tickets/{mine.token}/notifications/").status_code == 200
    with committed():
        serve_and_call_next(counter, teller, times=2)
    broker.work()
    assert outbox == []
    assert Notification.objects.get().status == Notification.Status.WITHDRAWN


# The stop reply ---------------------------------------------------------------------------------


def inbound(api, phone: str, text: str, secret: str | None = SECRET):
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    return api.post(
        "/api/notifications/inbound/",
        {"phone": phone, "text": text},
        format="json",
        headers=headers,
    )


def test_a_td_reply_stops_every_text_to_that_phone(
    api, cash, counter, teller, outbox, committed, settings
):
    settings.NOTIFICATION_INBOUND_SECRET = SECRET
    waiting = factories.issue(cash, 5)
    with committed():
        opt_in(api, waiting[3])
        opt_in(api, waiting[4], phone="13900000009")
    assert outbox == []
    appointment = book_with_reminders(cash)
    response = inbound(api, "+8613812345678", " td ")
    assert response.status_code == 200
    assert response.json() == {"stopped": 2}  # the ticket and the appointment
    assert inbound(api, PHONE, "TD").json() == {"stopped": 0}
    with committed():
        serve_and_call_next(counter, teller, times=2)
    assert [m.phone for m in outbox] == ["13900000009"]
    remind_at(appointment.starts_at - timedelta(minutes=50), committed)
    assert [m.phone for m in outbox] == ["13900000009"]
    assert not Notification.objects.filter(subscription__appointment=appointment).exists()


def test_a_reply_that_is_not_a_stop_word_changes_nothing(api, cash, settings):
    settings.NOTIFICATION_INBOUND_SECRET = SECRET
    (mine,) = factories.issue(cash)
    opt_in(api, mine)
    for reply in ("thanks", "", "TDX"):
        assert inbound(api, PHONE, reply).json() == {"stopped": 0}
    assert NotificationSubscription.objects.get().is_active


@pytest.mark.parametrize("secret", [None, "", "a-shared-secret-of-the-gatewaX", SECRET + "x"])
def test_the_inbound_webhook_refuses_anyone_without_the_shared_secret(api, cash, settings, secret):
    settings.NOTIFICATION_INBOUND_SECRET = SECRET
    (mine,) = factories.issue(cash)
    opt_in(api, mine)
    response = inbound(api, PHONE, "TD", secret=secret)
    assert (response.status_code, response.json()["code"]) == (403, "gateway_not_recognised")
    assert NotificationSubscription.objects.get().is_active


def test_the_inbound_webhook_refuses_everyone_while_no_secret_is_configured(api, settings):
    settings.NOTIFICATION_INBOUND_SECRET = ""
    assert inbound(api, PHONE, "TD", secret="").status_code == 403
    assert inbound(api, PHONE, "TD", secret=SECRET).status_code == 403


# Appointment reminders --------------------------------------------------------------------------


def book_with_reminders(
    service, *, reminders: bool = True, language: str = "en", phone: str = PHONE
):
    """An appointment three days ahead at 10:00, booked at the appointment tests' moment."""
    service.appointment_capacity = 2
    service.save()
    with time_machine.travel(NOW, tick=False):
        return services.appointment_book(
            service=service,
            start=at(NOW.date() + timedelta(days=3), 10),
            phone=phone,
            reminders=reminders,
            language=language,
        )


def remind_at(moment, committed, times: int = 1) -> None:
    """The periodic task runs at `moment` (`times` times), and what it enqueued runs after it."""
    for _ in range(times):
        with time_machine.travel(moment, tick=False), committed():
            tasks.remind_appointments.apply()


def test_an_appointment_is_reminded_a_day_before_and_an_hour_before_once_each(
    cash, outbox, committed
):
    appointment = book_with_reminders(cash)
    start = appointment.starts_at
    remind_at(start - timedelta(days=1, minutes=5), committed)
    assert outbox == []
    remind_at(start - timedelta(days=1) + timedelta(minutes=2), committed, times=2)
    remind_at(start - timedelta(hours=5), committed)
    assert len(outbox) == 1
    remind_at(start - timedelta(minutes=58), committed, times=2)
    remind_at(start - timedelta(minutes=3), committed)
    day_before, hour_before = outbox
    assert start.astimezone(GUANGZHOU).date().isoformat() == "2026-12-04"
    assert day_before.text == (
        "Reminder: your appointment at Tianhe Sub-branch (Cash) is on Dec. 4, 2026 at 10:00. "
        f"Check-in code {appointment.code}. https://queue.example.cn/a/{appointment.token}/ "
        "Reply TD to stop."
    )
    assert hour_before.text.startswith(
        "Reminder: your appointment at Tianhe Sub-branch (Cash) starts at 10:00, in about an hour."
    )
    assert day_before.phone == hour_before.phone == PHONE


def test_a_reminder_is_in_chinese_for_a_customer_who_booked_in_chinese(cash, outbox, committed):
    appointment = book_with_reminders(cash, language="zh-hans")
    remind_at(appointment.starts_at - timedelta(minutes=30), committed)
    (message,) = outbox
    assert message.text.startswith("提醒：您在天河支行预约的现金将于10:00开始（约一小时后）")
    assert message.text.endswith("回复TD退订")


def test_an_appointment_booked_without_reminders_or_cancelled_is_not_reminded(
    cash, outbox, committed
):
    quiet = book_with_reminders(cash, reminders=False)
    assert not NotificationSubscription.objects.filter(appointment=quiet).exists()
    cancelled = book_with_reminders(cash, phone="13900000003")
    services.appointment_cancel(appointment=cancelled)
    remind_at(quiet.starts_at - timedelta(minutes=30), committed)
    assert outbox == []


def test_the_booking_api_takes_reminders_and_says_whether_they_come(api, cash):
    cash.appointment_capacity = 2
    cash.save()
    body = {
        "branch": "GZ-TH01",
        "service": "A",
        "phone": PHONE,
        "start": at(NOW.date() + timedelta(days=3), 10).isoformat(),
        "reminders": True,
    }
    with time_machine.travel(NOW, tick=False):
        answer = api.post("/api/appointments/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["reminders"] is True
    assert NotificationSubscription.objects.get().language == "zh-hans"
    page = Client().get("/branches/GZ-TH01/")
    assert b'id="book-reminders" type="checkbox" checked' in page.content


# Backends ---------------------------------------------------------------------------------------


def test_the_file_backend_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "texts" / "notifications.jsonl"
    backend = FileBackend(path=path)
    backend.send(TextMessage(phone=PHONE, text="第一条", key="ticket:1:called"))
    backend.send(TextMessage(phone="13900000000", text="second", key="ticket:2:called"))
    first, second = (json.loads(line) for line in path.read_text().splitlines())
    assert (first["phone"], first["text"], first["key"]) == (PHONE, "第一条", "ticket:1:called")
    assert second["key"] == "ticket:2:called"
    assert first["at"].endswith("+00:00")


class Gateway:
    """An SMS provider's HTTP gateway on a local port that fails its first `failures` requests."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[int, dict, dict]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 503 if len(gateway.received) < gateway.failures else 200
                gateway.received.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Gateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def retries_run_eagerly():
    """Celery runs an eager task's retries only when its errors are not raised."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_failed_gateway_send_is_retried_and_then_sent_once(
    api, cash, settings, outbox, committed, retries_run_eagerly
):
    settings.NOTIFICATION_BACKEND = HTTP
    settings.NOTIFICATION_HTTP_TOKEN = "provider-token"
    (mine,) = factories.issue(cash)
    with Gateway(failures=1) as gateway:
        settings.NOTIFICATION_HTTP_URL = gateway.url
        with committed():
            opt_in(api, mine)
    assert [status for status, _headers, _body in gateway.received] == [503, 200]
    (_status, headers, body) = gateway.received[1]
    assert body == {
        "to": PHONE,
        "text": Notification.objects.get().text,
        "id": f"ticket:{mine.pk}:near_front",
    }
    assert gateway.received[0][2] == body  # the same message, with the same id
    assert headers["Authorization"] == "Bearer provider-token"
    assert Notification.objects.get().status == Notification.Status.SENT


def test_a_gateway_that_keeps_failing_leaves_the_message_pending_for_a_later_try(
    api, cash, settings, committed, retries_run_eagerly
):
    settings.NOTIFICATION_BACKEND = HTTP
    (mine,) = factories.issue(cash)
    with Gateway(failures=100) as gateway:
        settings.NOTIFICATION_HTTP_URL = gateway.url
        with committed():
            opt_in(api, mine)
    assert len(gateway.received) == 1 + tasks.send_notification.max_retries
    assert Notification.objects.get().status == Notification.Status.PENDING


def test_a_gateway_that_cannot_be_reached_is_a_message_not_sent():
    with Gateway(failures=0) as gateway:
        url = gateway.url
    message = TextMessage(phone=PHONE, text="hi", key="k")
    with pytest.raises(NotificationNotSent):
        HttpGatewayBackend(url=url, timeout=1).send(message)  # the gateway is gone


# With real Celery workers on Redis, against PostgreSQL ------------------------------------------


@contextmanager
def enqueued_to(queue: str):
    """This process enqueues for real, to `queue`, as a web process would to the default one."""
    conf = app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager, conf.task_default_queue = False, queue
    _forget_routes()
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        _forget_routes()


def _forget_routes() -> None:
    # Celery works out the default queue once; it is read again after a change.
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for(condition, *, seconds: float = 30, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            worker_logs = "\n".join(log.read_text() for log in sorted(logs.glob("worker-*.log")))
            pytest.fail(f"not within {seconds} s; the workers said:\n{worker_logs}")
        time.sleep(0.2)


def settle(queue: str, seconds: float = 2.5) -> None:
    """Wait until the workers took everything enqueued to `queue`, and a little more."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + 30
    while client.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(seconds)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_one_line_per_event_to_the_file_also_when_tasks_run_twice(
    tmp_path, api, cash, counter, teller
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    texts_file = tmp_path / "notifications.jsonl"
    mine = factories.issue(cash, 3)[2]
    connection.close()  # let the workers see a quiet database
    with (
        celery_workers(
            tmp_path,
            queue,
            SITE_URL=SITE_URL,
            NOTIFICATION_BACKEND=FILE,
            NOTIFICATION_FILE_PATH=str(texts_file),
        ),
        enqueued_to(queue),
    ):
        assert opt_in(api, mine).status_code == 200
        wait_for(lambda: len(lines(texts_file)) == 1, logs=tmp_path)
        serve_and_call_next(counter, teller, times=3)
        wait_for(lambda: len(lines(texts_file)) == 2, logs=tmp_path)

        # The same events enqueued again, each twice: nothing new is written.
        for _ in range(2):
            tasks.notify_after_ticket_change.delay(mine.pk, "called")
            for notification_id in Notification.objects.values_list("pk", flat=True):
                tasks.send_notification.delay(notification_id)
        settle(queue)

    written = lines(texts_file)
    assert [line["key"] for line in written] == [
        f"ticket:{mine.pk}:near_front",
        f"ticket:{mine.pk}:called",
    ]
    assert written[1]["phone"] == PHONE
    assert "counter 1" in written[1]["text"] and written[1]["text"].endswith("Reply TD to stop.")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_message_at_the_same_moment_send_it_once(tmp_path, api, cash):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    texts_file = tmp_path / "notifications.jsonl"
    (mine,) = factories.issue(cash)
    with pytest.MonkeyPatch.context() as patch:
        # Written, not sent: its sending is enqueued below, twice, to two workers at once.
        patch.setattr(tasks.send_notification, "delay", lambda *args: None)
        opt_in(api, mine)  # commits: the check runs here, eagerly, and writes the message
    (notification,) = Notification.objects.all()
    connection.close()
    logs = [tmp_path / "worker-0.log", tmp_path / "worker-1.log"]
    with (
        celery_workers(
            tmp_path,
            queue,
            count=2,
            SITE_URL=SITE_URL,
            loglevel="INFO",
            NOTIFICATION_BACKEND="tests.queueing.notification_backends.SlowFileBackend",
            NOTIFICATION_FILE_PATH=str(texts_file),
        ),
        enqueued_to(queue),
    ):
        wait_for(lambda: all(" ready." in log.read_text() for log in logs), logs=tmp_path)
        tasks.send_notification.delay(notification.pk)
        tasks.send_notification.delay(notification.pk)
        wait_for(
            lambda: sum(log.read_text().count("succeeded") for log in logs) == 2, logs=tmp_path
        )
    # Each worker took one: one sent it (True), the other waited for its lock and found it sent.
    results = [
        re.findall(r"send_notification\[.*\] succeeded in .*: (\w+)", log.read_text())
        for log in logs
    ]
    assert sorted(results) == [["False"], ["True"]]
    assert [line["key"] for line in lines(texts_file)] == [f"ticket:{mine.pk}:near_front"]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failed_gateway_send_and_sends_it_once(tmp_path, api, cash):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    (mine,) = factories.issue(cash)
    connection.close()
    with (
        Gateway(failures=1) as gateway,
        celery_workers(
            tmp_path,
            queue,
            SITE_URL=SITE_URL,
            NOTIFICATION_BACKEND=HTTP,
            NOTIFICATION_HTTP_URL=gateway.url,
        ),
        enqueued_to(queue),
    ):
        opt_in(api, mine)
        wait_for(lambda: len(gateway.received) == 2, logs=tmp_path)
        settle(queue)
    assert [status for status, _headers, _body in gateway.received] == [503, 200]
    assert Notification.objects.get().status == Notification.Status.SENT
