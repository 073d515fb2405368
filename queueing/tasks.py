"""Celery tasks: schedules around services, nothing more. Each is idempotent."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_tickets_after_closing() -> int:
    return services.tickets_expire_after_closing()


@shared_task(acks_late=True)
def mark_missed_appointments() -> int:
    return services.appointments_mark_missed()
