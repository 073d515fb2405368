"""Celery tasks: schedules around services, nothing more. Each is idempotent."""

from celery import shared_task

from branchsite.infra.notifications import NotificationNotSent

from . import services


@shared_task(acks_late=True)
def expire_tickets_after_closing() -> int:
    return services.tickets_expire_after_closing()


@shared_task(acks_late=True)
def mark_missed_appointments() -> int:
    return services.appointments_mark_missed()


@shared_task(acks_late=True)
def remind_appointments() -> int:
    return services.appointment_reminders_due()


@shared_task(acks_late=True)
def notify_after_ticket_change(ticket_id: int, action: str) -> int:
    """One per change of a branch's queue, enqueued once the change commits."""
    return services.notifications_after_ticket_change(ticket_id=ticket_id, action=action)


# A backend that failed is tried again after about 1, 2, 4… seconds (jittered), up to six times;
# the message stays pending meanwhile, and a reminder still pending is enqueued again by
# `remind_appointments`.
@shared_task(
    acks_late=True,
    autoretry_for=(NotificationNotSent,),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=6,
)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)
