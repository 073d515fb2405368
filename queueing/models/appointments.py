"""Appointment slots and the appointments booked in them."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .branches import Branch, Service
from .tickets import Ticket, new_token

# No 0/O, 1/I/L: the code is read off a phone and typed at a kiosk.
CHECK_IN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_IN_CODE_LENGTH = 6


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_CODE_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH))


def clean_check_in_code(typed: str) -> str:
    """A check-in code as stored, from what a customer typed or a scanner read: spaces anywhere
    dropped, letters in capitals ("ab3 4cd" is AB34CD)."""
    return "".join(typed.split()).upper()


class AppointmentSlot(models.Model):
    """A bookable start time of a service, created by its first booking.

    `booked` counts the active appointments in the slot; it only moves in one conditional UPDATE
    (see `services.appointment_book`), and the check constraint is the backstop.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="slots", verbose_name=_("service")
    )
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
    slot = models.ForeignKey(
        AppointmentSlot,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("appointment slot"),
    )
    # The slot's branch, service and local date, kept here for the constraint of one active
    # appointment per phone, branch and day, and for the lists staff read.
    # No index of its own: appointment_branch_day_idx starts with the branch.
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
        verbose_name=_("branch"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
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
