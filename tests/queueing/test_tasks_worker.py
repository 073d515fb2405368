"""The periodic expiry runs through a real Celery worker on the Redis broker."""

import time
import uuid
from datetime import UTC, datetime
from datetime import time as clock

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from branchsite.celery import app
from queueing import tasks
from queueing.models import Ticket
from tests import factories
from tests.workers import celery_workers


@pytest.fixture
def worker_queue(tmp_path):
    """A worker of its own, on a queue of its own, against the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_workers(tmp_path, queue):
        yield queue


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_expires_tickets_left_open_after_closing(worker_queue, tmp_path):
    branch = factories.make_branch("FS-NH02", hours=(clock(9), clock(17)))
    service = factories.make_service(branch, "A")
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)):
        factories.issue(service, 3)
    connection.close()  # let the worker see a quiet database
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        tasks.expire_tickets_after_closing.apply_async(queue=worker_queue)
    finally:
        app.conf.task_always_eager = eager

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if set(Ticket.objects.values_list("status", flat=True)) == {"expired"}:
            break
        time.sleep(0.2)
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == {"expired"}, (tmp_path / "worker.log").read_text()


@pytest.mark.django_db
def test_the_beat_schedule_names_tasks_that_exist():
    app.loader.import_default_modules()  # finds every app's tasks, as a worker does at start
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
