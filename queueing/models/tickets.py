"""Tickets, their numbering sequence and their history."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .branches import Branch, Service
from .counters import Counter


def new_token() -> str:
    """An unguessable handle for a customer's ticket: 128 random bits."""
    return secrets.token_urlsafe(16)


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    CALLED = "called", _("called")
    SERVING = "serving", _("serving")
    DONE = "done", _("done")
    NO_SHOW = "no_show", _("no show")
    CANCELLED = "cancelled", _("cancelled")
    TRANSFERRED = "transferred", _("transferred")
    EXPIRED = "expired", _("expired")


class TicketChannel(models.TextChoices):
    KIOSK = "kiosk", _("kiosk")
    REMOTE = "remote", _("remote")
    APPOINTMENT = "appointment", _("appointment")
    # Issued by the lobby manager for a customer in front of them (a priority ticket, say).
    LOBBY = "lobby", _("lobby manager")


# What staff may do with a ticket, by its status: the services' transitions take their allowed
# statuses from here, and the pages show only the actions a ticket offers (`staff_actions`).
MAX_RECALLS = 2
STAFF_ACTIONS_FROM: dict[str, tuple[str, ...]] = {
    "recall": (TicketStatus.CALLED,),
    "start": (TicketStatus.CALLED,),
    "finish": (TicketStatus.SERVING,),
    "no_show": (TicketStatus.CALLED,),
    "cancel": (TicketStatus.WAITING,),
    "transfer": (TicketStatus.WAITING, TicketStatus.CALLED),
}


class Ticket(models.Model):
    Status = TicketStatus
    Channel = TicketChannel

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # No index of its own: ticket_branch_day_idx starts with the branch. Every ticket taken pays
    # for each index of this table.
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
        verbose_name=_("branch"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    business_day = models.DateField(_("business day"))
    number = models.CharField(_("number"), max_length=8)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(_("issued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter"),
    )
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    # Set for a checked-in appointment: once the slot has begun the ticket is called first.
    appointment_starts_at = models.DateTimeField(_("appointment starts at"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    # The phone a remote ticket was taken with, kept while ONE_WAITING_TICKET_PER_PHONE holds so
    # that the database refuses a second waiting ticket for it (`one_waiting_ticket_per_phone`).
    # Never shown: the number belongs to its owner.
    holder_phone = models.CharField(_("holder's phone"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-issued_at"]
        constraints = [
            # The customer holds the number: never two alike in a branch on one day. A transferred
            # ticket carries its number into the new queue, so only first issues count here.
            models.UniqueConstraint(
                fields=["branch", "business_day", "number"],
                condition=Q(transferred_from__isnull=True),
                name="one_ticket_per_number_per_branch_day",
            ),
            # One phone holds one place in a branch's queues at a time: nobody takes a place in
            # every queue "just in case" (a setting; the phone is kept only while it holds).
            models.UniqueConstraint(
                fields=["branch", "business_day", "holder_phone"],
                condition=Q(status="waiting") & ~Q(holder_phone=""),
                name="one_waiting_ticket_per_phone",
            ),
            # A counter holds one customer at a time: called, then served.
            models.UniqueConstraint(
                fields=["counter"],
                condition=Q(status__in=["called", "serving"]),
                name="one_customer_at_a_counter",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=TicketChannel.values), name="ticket_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status="done"), name="only_done_tickets_rated"
            ),
        ]
        indexes = [
            models.Index(
                fields=["service", "business_day", "issued_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting_idx",
            ),
            models.Index(fields=["branch", "business_day", "status"], name="ticket_branch_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"

    @property
    def is_priority(self) -> bool:
        """Of a priority service: called before ordinary tickets (`selectors.CALLING_ORDER`)."""
        return self.service.is_priority

    @property
    def staff_actions(self) -> list[str]:
        """The actions of STAFF_ACTIONS_FROM staff may take now; a recall at most MAX_RECALLS."""
        return [
            action
            for action, statuses in STAFF_ACTIONS_FROM.items()
            if self.status in statuses and (action != "recall" or self.recall_count < MAX_RECALLS)
        ]

    @property
    def can_be_cancelled(self) -> bool:
        """The holder (or staff) may cancel a ticket while it waits (`services.ticket_cancel`)."""
        return self.status in STAFF_ACTIONS_FROM["cancel"]

    @property
    def can_be_rated(self) -> bool:
        """A customer rates a ticket once it is served, once (`services.ticket_rate`)."""
        return self.status == TicketStatus.DONE and self.rating is None


class TicketSequence(models.Model):
    """The last number issued per queue and business day; its row lock serialises issuing."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    business_day = models.DateField()
    last_issued = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("ticket sequence")
        verbose_name_plural = _("ticket sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "business_day"], name="one_sequence_per_queue_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.business_day}: {self.last_issued}"


class TicketEvent(models.Model):
    """Every change of a ticket: what, who, when. Written in the transaction of the change."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("issued")
        CALLED = "called", _("called")
        RECALLED = "recalled", _("recalled")
        STARTED = "started", _("started")
        FINISHED = "finished", _("finished")
        NO_SHOW = "no_show", _("marked no-show")
        CANCELLED = "cancelled", _("cancelled")
        TRANSFERRED = "transferred", _("transferred")
        EXPIRED = "expired", _("expired")
        RATED = "rated", _("rated")

    # No index of its own: ticket_event_idx starts with the ticket.
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        verbose_name=_("ticket"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
    )
    counter = models.ForeignKey(
        Counter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counter"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_action_display()} {self.at:%H:%M:%S}"
