"""Celery tasks: schedules around services, nothing more. Each is idempotent."""

from datetime import timedelta

from celery import shared_task

from branchsite.idempotency import idempotency_keys_forget

from . import services


@shared_task(acks_late=True)
def expire_tickets_after_closing() -> int:
    return services.tickets_expire_after_closing()


@shared_task(acks_late=True)
def forget_old_idempotency_keys() -> int:
    return idempotency_keys_forget()


@shared_task(acks_late=True)
def mark_missed_appointments() -> int:
    return services.appointments_mark_missed()


@shared_task(acks_late=True)
def forget_old_rate_limit_windows() -> int:
    # The longest limit window is a day; a window older than two has nothing left to count.
    return services.rate_limit_windows_forget(older_than=timedelta(days=2))
