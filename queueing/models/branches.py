"""Branches, their opening hours and the services they offer."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


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

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("branch")
    )
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
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="services", verbose_name=_("branch")
    )
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
    # Elderly, disabled and pregnant customers, VIPs: called before everyone but the checked-in
    # appointments, so the kiosk or the lobby manager issues these tickets, never a phone.
    is_priority = models.BooleanField(
        _("priority"),
        default=False,
        help_text=_(
            "Counters call its tickets before ordinary ones (after checked-in appointments); "
            "only a kiosk or the lobby manager issues them, never a phone or a booking."
        ),
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
            # Priority is given at the branch, never booked.
            models.CheckConstraint(
                condition=Q(is_priority=False) | Q(appointment_capacity=0),
                name="priority_service_takes_no_bookings",
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
