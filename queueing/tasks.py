"""Celery tasks: schedules around services, nothing more. Each is idempotent."""

from celery import shared_task

from branchsite.idempotency import idempotency_keys_forget

from . import services


@shared_task(acks_late=True)
def expire_tickets_after_closing() -> int:
    return services.tickets_expire_after_closing()


@shared_task(acks_late=True)
def forget_old_idempotency_keys() -> int:
    return idempotency_keys_forget()
