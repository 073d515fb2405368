"""Text messages to customers: who asked to be told about what, and each message owed.

A customer opts in with a phone number, for one ticket (near the front, called) or for one
appointment (the reminders); each message owed is a `Notification` with a unique `key` naming
its event, so that no event is ever told twice, however often the tasks run.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appointments import Appointment
from .tickets import Ticket

NOTIFICATION_LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]


class NotificationSubscription(models.Model):
    """A phone number that asked to be told about one ticket or one appointment.

    Stopped (`stopped_at`) by the customer, by a stop reply from the phone, or when the ticket
    moved to another queue (its successor then has a subscription of its own). Messages go out
    in `language`, the one the customer used when opting in.
    """

    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_subscription",
        verbose_name=_("ticket"),
    )
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_subscription",
        verbose_name=_("appointment"),
    )
    phone = models.CharField(_("phone"), max_length=20)
    language = models.CharField(_("language"), max_length=8, choices=NOTIFICATION_LANGUAGES)
    subscribed_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification subscription")
        verbose_name_plural = _("notification subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(ticket__isnull=False) & Q(appointment__isnull=True))
                | (Q(ticket__isnull=True) & Q(appointment__isnull=False)),
                name="subscription_for_a_ticket_or_an_appointment",
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in NOTIFICATION_LANGUAGES]),
                name="subscription_language_known",
            ),
        ]
        indexes = [
            # A stop reply ends every subscription of its phone.
            models.Index(
                fields=["phone"],
                condition=Q(stopped_at__isnull=True),
                name="subscription_active_phone_idx",
            ),
        ]

    def __str__(self) -> str:
        subject = (
            f"ticket {self.ticket_id}" if self.ticket_id else f"appointment {self.appointment_id}"
        )
        return f"{subject} → {self.phone}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class NotificationEvent(models.TextChoices):
    NEAR_FRONT = "near_front", _("near the front")
    CALLED = "called", _("called")
    DAY_BEFORE = "day_before", _("reminder a day before")
    HOUR_BEFORE = "hour_before", _("reminder an hour before")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    # Not sent, and never will be: stopped by the customer, or no longer true (the ticket was
    # called before its near-the-front message left, the appointment was cancelled).
    WITHDRAWN = "withdrawn", _("withdrawn")


class Notification(models.Model):
    """One message owed to a subscriber, for one event: `key` is unique, such as
    "ticket:12:called" or "appointment:7:hour_before:20260302T0100Z".

    Sent once: the sending task locks the row, skips it unless pending, sends, and marks it sent
    in the same transaction; a failed send rolls back and leaves it pending, to be retried.
    """

    Event = NotificationEvent
    Status = NotificationStatus

    key = models.CharField(_("key"), max_length=100, unique=True)
    subscription = models.ForeignKey(
        NotificationSubscription,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("subscription"),
    )
    event = models.CharField(_("event"), max_length=16, choices=NotificationEvent.choices)
    phone = models.CharField(_("phone"), max_length=20)
    language = models.CharField(_("language"), max_length=8, choices=NOTIFICATION_LANGUAGES)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NotificationStatus.values),
                name="notification_status_known",
            ),
            models.CheckConstraint(
                condition=Q(event__in=NotificationEvent.values), name="notification_event_known"
            ),
            models.CheckConstraint(
                condition=(Q(status="sent") & Q(sent_at__isnull=False))
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="sent_means_sent_at",
            ),
        ]
        indexes = [
            # A stop reply withdraws whatever its phone is still owed.
            models.Index(
                fields=["phone"], condition=Q(status="pending"), name="notification_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"
