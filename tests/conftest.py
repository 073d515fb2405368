"""Shared fixtures. Tests needing PostgreSQL, Redis or a browser skip where those are missing,
and fail in CI (CI=true), where a missing service means the run checks less than it claims."""

import os

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from branchsite.infra.caches import clear_process_caches

from . import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run this test, but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if (
        item.get_closest_marker("postgres")
        and "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        _missing("it needs PostgreSQL: set DATABASE_URL=postgresql://…")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        _missing("it needs Redis: set REDIS_URL=redis://…")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def branch(db):
    return factories.make_branch()


@pytest.fixture
def cash(branch):
    return factories.make_service(branch, "A", name_en="Cash", name_zh="现金")


@pytest.fixture
def non_cash(branch):
    return factories.make_service(branch, "B", name_en="Non-cash", name_zh="非现金")


@pytest.fixture
def counter(branch, cash, non_cash, teller):
    return factories.make_counter(branch, 1, [cash, non_cash], teller=teller)


@pytest.fixture
def teller(branch):
    return factories.make_staff(branch, role="teller")


@pytest.fixture
def head_office_user(db):
    return factories.make_head_office("head", administrator=True)


@pytest.fixture
def head_office(head_office_user) -> Client:
    """Signed in as head office, its second factor verified: the admin admits nobody else."""
    return factories.signed_in(head_office_user)


@pytest.fixture
def teller_api(teller) -> APIClient:
    client = APIClient()
    client.force_authenticate(teller)
    return client


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file rather than pytest-django's in-memory one.

    Live servers and consumers use it from threads of their own. The in-memory database's locks
    fail at once ("database table is locked") instead of waiting: 60 concurrent ticket issues over
    HTTP gave 32 errors in memory and none with a file in WAL mode, as in production.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_file = tmp_path_factory.getbasetemp() / "branchsite-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_file)


@pytest.fixture(scope="session", autouse=True)
def _pooled_connections_closed_before_the_test_database_goes(django_db_setup, django_db_blocker):
    """Consumers and live servers use connections from other threads, which return them to the
    pool; the pool must let them go before the test database can be dropped."""
    yield
    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test():
    # Each test rolls its database back; a service found by an earlier test is gone.
    clear_process_caches()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
