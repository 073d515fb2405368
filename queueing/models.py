"""Branches, their services and counters, and the tickets that queue for them.

The rules that must never break are database constraints; `services` takes the locks that keep
them from being hit in the first place.
"""

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def new_token() -> str:
    """An unguessable handle for a customer's ticket: 128 random bits."""
    return secrets.token_urlsafe(16)


class Bilingual(models.Model):
    """Models shown to customers carry their name in Chinese and English."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class AnnouncementLanguages(models.TextChoices):
    CHINESE_THEN_ENGLISH = "zh-hans,en", _("Chinese, then English")
    ENGLISH_THEN_CHINESE = "en,zh-hans", _("English, then Chinese")
    CHINESE = "zh-hans", _("Chinese only")
    ENGLISH = "en", _("English only")


class Branch(Bilingual):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9]+(-[A-Z0-9]+)*$", _("Use capitals, digits and dashes."))
        ],
        help_text=_("Short code such as GZ-TH01; it appears in URLs."),
    )
    city_zh = models.CharField(_("city (Chinese)"), max_length=50)
    city_en = models.CharField(_("city (English)"), max_length=50)
    address_zh = models.CharField(_("address (Chinese)"), max_length=200)
    address_en = models.CharField(_("address (English)"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    announce_in = models.CharField(
        _("announce calls in"),
        max_length=16,
        choices=AnnouncementLanguages.choices,
        default=AnnouncementLanguages.CHINESE_THEN_ENGLISH,
        help_text=_("Languages the wall screens speak a call in, in order."),
    )
    # Grows by one with every change of the lobby (a ticket or a counter), in the change's own
    # transaction. Live clients apply only the next version and otherwise ask for a snapshot.
    lobby_version = models.PositiveBigIntegerField(_("lobby version"), default=0, editable=False)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="branch_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="branch_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def city(self) -> str:
        return self.city_zh if (get_language() or "").startswith("zh") else self.city_en

    @property
    def address(self) -> str:
        return self.address_zh if (get_language() or "").startswith("zh") else self.address_en

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_time(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def business_day(self, at: datetime) -> date:
        """The branch's local date at `at`: numbering restarts with it."""
        return self.local_time(at).date()


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["branch", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "weekday"], name="one_opening_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_range"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="opens_before_closes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def covers(self, moment: time) -> bool:
        return self.opens <= moment < self.closes


class Service(Bilingual):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="services")
    prefix = models.CharField(
        _("prefix"),
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", _("One capital letter."))],
        help_text=_("Letter before ticket numbers: A cash, B non-cash, C wealth, V priority."),
    )
    default_handling_minutes = models.PositiveSmallIntegerField(
        _("default handling time (minutes)"), default=5, validators=[MinValueValidator(1)]
    )
    overtime_threshold_minutes = models.PositiveSmallIntegerField(
        _("over-time threshold (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    # A moving average of recent handling times, kept up to date as tickets finish, so that an
    # estimate costs no query over finished tickets. Null until the first ticket finishes.
    live_handling_seconds = models.FloatField(
        _("live handling time (seconds)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    appointment_capacity = models.PositiveSmallIntegerField(
        _("appointment places per slot"),
        default=0,
        help_text=_("How many customers may book each slot; 0: this service takes no bookings."),
    )
    appointment_slot_minutes = models.PositiveSmallIntegerField(
        _("appointment slot length (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    reserves_cash = models.BooleanField(
        _("large cash withdrawal"),
        default=False,
        help_text=_(
            "Booked at least one business day ahead, with the amount and currency, so that the "
            "branch can order the cash."
        ),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["branch", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "prefix"], name="one_prefix_per_branch"),
            models.CheckConstraint(
                condition=Q(default_handling_minutes__gte=1), name="handling_positive"
            ),
            models.CheckConstraint(
                condition=Q(overtime_threshold_minutes__gte=1), name="threshold_positive"
            ),
            models.CheckConstraint(
                condition=Q(appointment_slot_minutes__gte=5), name="slot_length_at_least_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name_zh}"

    @property
    def takes_appointments(self) -> bool:
        return self.is_active and self.appointment_capacity > 0

    # The over-time rule, written here once: a customer has waited too long once they have waited
    # more than the service's threshold. Pages and scripts show the flags and moments computed
    # from these two; they never compare against the threshold themselves.
    def over_time_at(self, waiting_since: datetime) -> datetime:
        """The moment a customer waiting since `waiting_since` is over time."""
        return waiting_since + timedelta(minutes=self.overtime_threshold_minutes)

    def is_over_time(self, wait_minutes: float) -> bool:
        """Whether a wait of `wait_minutes` (waited or expected) is over the threshold."""
        return wait_minutes > self.overtime_threshold_minutes

    @property
    def handling_minutes(self) -> float:
        """The live handling time, or the default before any ticket has finished."""
        if self.live_handling_seconds is None:
            return float(self.default_handling_minutes)
        return self.live_handling_seconds / 60


class Counter(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    services = models.ManyToManyField(Service, related_name="counters", verbose_name=_("services"))
    is_open = models.BooleanField(_("open"), default=False)
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counters",
        verbose_name=_("teller"),
    )

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "number"], name="one_counter_number_per_branch"
            ),
            models.UniqueConstraint(
                fields=["teller"], condition=Q(teller__isnull=False), name="one_counter_per_teller"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="counter_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.branch.code} #{self.number}"


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


class Ticket(models.Model):
    Status = TicketStatus
    Channel = TicketChannel

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # No index of its own: ticket_branch_day_idx starts with the branch. Every ticket taken pays
    # for each index of this table.
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
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
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    # Set for a checked-in appointment: once the slot has begun the ticket is called first.
    appointment_starts_at = models.DateTimeField(_("appointment starts at"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)

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
    def can_be_rated(self) -> bool:
        """A customer rates a ticket once it is served, once (`services.ticket_rate`)."""
        return self.status == TicketStatus.DONE and self.rating is None


class TicketSequence(models.Model):
    """The last number issued per queue and business day; its row lock serialises issuing."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    business_day = models.DateField()
    last_issued = models.PositiveIntegerField()

    class Meta:
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
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.action} {self.at:%H:%M:%S}"


class StaffMembership(models.Model):
    """What a staff user may touch: one branch as teller or lobby manager, or all as head office."""

    class Role(models.TextChoices):
        TELLER = "teller", _("teller")
        LOBBY_MANAGER = "lobby_manager", _("lobby manager")
        HEAD_OFFICE = "head_office", _("head office")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "branch"], name="one_membership_per_branch"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(branch__isnull=True), name="one_head_office_membership"
            ),
            models.CheckConstraint(
                condition=(Q(role="head_office") & Q(branch__isnull=True))
                | (Q(role__in=["teller", "lobby_manager"]) & Q(branch__isnull=False)),
                name="branch_roles_have_a_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} {self.branch.code if self.branch else ''}"


# Appointments -----------------------------------------------------------------------------------

# No 0/O, 1/I/L: the code is read off a phone and typed at a kiosk.
CHECK_IN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_IN_CODE_LENGTH = 6


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_CODE_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH))


class AppointmentSlot(models.Model):
    """A bookable start time of a service, created by its first booking.

    `booked` counts the active appointments in the slot; it only moves in one conditional UPDATE
    (see `services.appointment_book`), and the check constraint is the backstop.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["service", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_at"], name="one_slot_per_start"),
            models.CheckConstraint(
                condition=Q(booked__gte=0, booked__lte=models.F("capacity")),
                name="slot_never_over_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M} {self.booked}/{self.capacity}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CHECKED_IN = "checked_in", _("checked in")
    CANCELLED = "cancelled", _("cancelled")
    MISSED = "missed", _("missed")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan")
    HKD = "HKD", _("Hong Kong dollar")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("euro")
    GBP = "GBP", _("pound sterling")
    JPY = "JPY", _("Japanese yen")


class Appointment(models.Model):
    Status = AppointmentStatus
    ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    code = models.CharField(
        _("check-in code"), max_length=8, unique=True, default=new_check_in_code, editable=False
    )
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    # The slot's branch, service and local date, kept here for the constraint of one active
    # appointment per phone, branch and day, and for the lists staff read.
    # No index of its own: appointment_branch_day_idx starts with the branch.
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("starts at"))
    day = models.DateField(_("day"))
    phone = models.CharField(_("phone"), max_length=20)
    name = models.CharField(_("name"), max_length=50, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("ticket"),
    )
    cash_amount = models.DecimalField(
        _("cash amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cash_currency = models.CharField(
        _("cash currency"), max_length=3, choices=Currency.choices, blank=True
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "branch", "day"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_active_appointment_per_phone_branch_day",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(ticket__isnull=True) & ~Q(status="checked_in"))
                | (Q(ticket__isnull=False) & Q(status="checked_in")),
                name="checked_in_means_a_ticket",
            ),
            models.CheckConstraint(
                condition=(Q(cash_amount__isnull=True) & Q(cash_currency=""))
                | (Q(cash_amount__gt=0) & ~Q(cash_currency="")),
                name="cash_has_amount_and_currency",
            ),
        ]
        indexes = [
            models.Index(
                fields=["starts_at"], condition=Q(status="booked"), name="appointment_booked_idx"
            ),
            models.Index(fields=["branch", "day", "status"], name="appointment_branch_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.branch.code} {self.starts_at:%Y-%m-%d %H:%M}"
