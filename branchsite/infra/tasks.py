"""Celery tasks that keep the infrastructure's tables small. Each is idempotent."""

from datetime import timedelta

from celery import shared_task

from .idempotency import idempotency_keys_forget
from .rate_limits import rate_limit_windows_forget


@shared_task(acks_late=True)
def forget_old_idempotency_keys() -> int:
    return idempotency_keys_forget()


@shared_task(acks_late=True)
def forget_old_rate_limit_windows() -> int:
    # The longest limit window is a day; a window older than two has nothing left to count.
    return rate_limit_windows_forget(older_than=timedelta(days=2))
