"""Appointments, read-only but for cancelling, and the cash reserved per branch and day."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import ReadOnlyAdminMixin
from branchsite.infra.audit import Origin
from branchsite.infra.dates import parse_day
from branchsite.infra.errors import InvalidInput

from .. import selectors, services
from ..errors import QueueError
from ..models import (
    Appointment,
    AppointmentSlot,
)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "branch",
        "service",
        "starts_at",
        "status",
        "phone",
        "name",
        "cash",
        "ticket",
    )
    list_filter = ("status", "branch", "service__prefix", "service__reserves_cash")
    date_hierarchy = "day"
    # The token is searchable (a customer may quote their link) but never shown.
    search_fields = ("=code", "=token", "=phone", "name", "=branch__code")
    list_select_related = ("branch", "service__branch", "ticket")
    show_full_result_count = False
    exclude = ("token", "slot")
    actions = ("cancel_appointments",)
    change_list_template = "admin/queueing/appointment/change_list.html"

    @admin.display(description=_("cash"))
    def cash(self, appointment: Appointment) -> str:
        if appointment.cash_amount is None:
            return "—"
        return f"{appointment.cash_amount:,.2f} {appointment.cash_currency}"

    @admin.action(description=_("Cancel the selected appointments and free their places"))
    def cancel_appointments(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        cancelled, actor = 0, Origin.of_request(request)
        for appointment in queryset:
            try:
                services.appointment_cancel(appointment=appointment, actor=actor)
            except QueueError:
                continue  # checked in, missed or cancelled already: nothing to free
            cancelled += 1
        self.message_user(
            request,
            _("%(count)d appointments cancelled.") % {"count": cancelled},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "reserved-cash/",
                self.admin_site.admin_view(self.reserved_cash_view),
                name="queueing_appointment_reserved_cash",
            ),
            *super().get_urls(),
        ]

    def reserved_cash_view(self, request: HttpRequest) -> HttpResponse:
        """Cash booked for withdrawal per branch and currency on a day (tomorrow by default):
        what head office has each branch stocked with."""
        raw = request.GET.get("date")
        try:
            day = parse_day(raw) if raw else selectors.tomorrow_at_head_office()
        except InvalidInput as invalid:
            self.message_user(request, invalid.detail, messages.ERROR)
            return redirect("admin:queueing_appointment_reserved_cash")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reserved cash"),
            "day": day,
            "rows": selectors.reserved_cash(day=day),
        }
        return TemplateResponse(request, "admin/queueing/appointment/reserved_cash.html", context)


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("service", "starts_at", "booked", "capacity")
    list_filter = ("service__branch",)
    date_hierarchy = "starts_at"
    list_select_related = ("service__branch",)
    show_full_result_count = False
