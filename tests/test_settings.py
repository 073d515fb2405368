"""Configuration from the environment: a bad value stops the start with a message naming it, and a
production-shaped environment passes Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from branchsite.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with only the given settings in its environment."""
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DJANGO_SETTINGS_MODULE": "branchsite.settings",
        "BRANCHSITE_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_rejects_maybe_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("BRANCHSITE_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="BRANCHSITE_TEST_FLAG='maybe' is not a boolean"):
        env_bool("BRANCHSITE_TEST_FLAG")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("Yes", True), (" on ", True), ("0", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("BRANCHSITE_TEST_FLAG", raw)
    assert env_bool("BRANCHSITE_TEST_FLAG", default=not expected) is expected


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("BRANCHSITE_TEST_FLAG", raising=False)
    assert env_bool("BRANCHSITE_TEST_FLAG", default=True) is True


def test_env_int_rejects_ten_spelled_out_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("BRANCHSITE_TEST_COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="BRANCHSITE_TEST_COUNT='ten' is not a whole"):
        env_int("BRANCHSITE_TEST_COUNT", 3)


def test_env_int_reads_a_number_and_takes_the_default_for_empty(monkeypatch):
    monkeypatch.setenv("BRANCHSITE_TEST_COUNT", "10")
    assert env_int("BRANCHSITE_TEST_COUNT", 3) == 10
    monkeypatch.setenv("BRANCHSITE_TEST_COUNT", " ")
    assert env_int("BRANCHSITE_TEST_COUNT", 3) == 3


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("BRANCHSITE_TEST_HOSTS", " a.example.cn, b.example.cn,, ")
    assert env_list("BRANCHSITE_TEST_HOSTS", ["default"]) == ["a.example.cn", "b.example.cn"]
    monkeypatch.delenv("BRANCHSITE_TEST_HOSTS")
    assert env_list("BRANCHSITE_TEST_HOSTS", ["default"]) == ["default"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DEBUG": "1", "DATABASE_URL": "mysql://branchsite@127.0.0.1/branchsite"},
            "DATABASE_URL must be a postgresql:// or sqlite:// URL",
        ),
        (
            {"DEBUG": "1", "REDIS_URL": "amqp://guest@127.0.0.1:5672//"},
            "REDIS_URL must be a redis:// or rediss:// URL",
        ),
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        (
            {"DEBUG": "1", "DATABASE_URL": "postgresql://p@127.0.0.1/b", "DB_CONN_MAX_AGE": "60"},
            "DB_CONN_MAX_AGE is not supported: under ASGI kept connections pile up",
        ),
        (
            {"DEBUG": "1", "DATABASE_URL": "postgresql://p@127.0.0.1/b", "DB_POOL_MAX_SIZE": "-1"},
            "DB_POOL_MAX_SIZE must be 0 (no pool) or more",
        ),
    ],
    ids=[
        "database-url-scheme",
        "redis-url-scheme",
        "no-secret-key",
        "debug-maybe",
        "kept-connections",
        "negative-pool",
    ],
)
def test_the_settings_refuse_to_start_on_a_bad_environment(tmp_path, env, message):
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_production_environment_passes_the_deployment_checklist_without_warnings(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level=WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="queue.example.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_postgresql_gets_a_connection_pool_that_keeps_the_urls_own_options(tmp_path):
    url = "postgresql://p@127.0.0.1/b?sslmode=require"
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = manage(tmp_path, "shell", "-c", show, DEBUG="1", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "'sslmode': 'require'" in result.stdout
    assert "'max_size': 8" in result.stdout


def test_the_models_and_their_migrations_agree(tmp_path):
    result = manage(tmp_path, "makemigrations", "--check", "--dry-run", DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr
