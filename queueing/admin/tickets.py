"""Tickets and their history: read-only, written by the services."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import ReadOnlyAdminMixin

from ..models import (
    Ticket,
    TicketEvent,
    TicketStatus,
)


def status_label(status: str) -> str:
    """A status an event recorded, by its name ("—" for none: before the ticket was issued)."""
    if not status:
        return "—"
    return str(TicketStatus(status).label) if status in TicketStatus.values else status


class TicketStatusesMixin:
    """An event's statuses by their names: the event stores them as codes, without choices."""

    @admin.display(description=_("from"), ordering="from_status")
    def from_status_label(self, event: TicketEvent) -> str:
        return status_label(event.from_status)

    @admin.display(description=_("to"), ordering="to_status")
    def to_status_label(self, event: TicketEvent) -> str:
        return status_label(event.to_status)


class TicketEventInline(TicketStatusesMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    fields = ("at", "action", "from_status_label", "to_status_label", "actor", "counter", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        return super().get_queryset(request).select_related("actor", "counter__branch")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "branch", "service", "status", "channel", "issued_at", "counter")
    list_filter = ("status", "channel", "branch")
    date_hierarchy = "business_day"
    # The token is searchable (a customer may quote their link) but never shown.
    search_fields = ("number", "=token", "=branch__code")
    list_select_related = ("branch", "service", "counter__branch")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("number", "branch", "service", "business_day", "channel", "status")}),
        (
            _("Times"),
            {
                "fields": (
                    "issued_at",
                    "appointment_starts_at",
                    "called_at",
                    "started_at",
                    "finished_at",
                )
            },
        ),
        (
            _("Handling"),
            {"fields": ("counter", "recall_count", "transferred_from", "transferred_to_link")},
        ),
        (_("Rating"), {"fields": ("rating", "rating_comment")}),
    )
    readonly_fields = ("transferred_to_link",)
    inlines = (TicketEventInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return super().get_queryset(request).select_related("branch", "service", "counter__branch")

    @admin.display(description=_("transferred to"))
    def transferred_to_link(self, ticket: Ticket) -> str:
        successor = Ticket.objects.filter(transferred_from=ticket).select_related("service").first()
        if successor is None:
            return "—"
        url = reverse("admin:queueing_ticket_change", args=[successor.pk])
        return format_html('<a href="{}">{} ({})</a>', url, successor, successor.service)


@admin.register(TicketEvent)
class TicketEventAdmin(TicketStatusesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "ticket",
        "action",
        "from_status_label",
        "to_status_label",
        "actor",
        "counter",
    )
    fields = (
        "ticket",
        "action",
        "from_status_label",
        "to_status_label",
        "actor",
        "counter",
        "at",
        "note",
    )
    readonly_fields = ("from_status_label", "to_status_label")
    list_filter = ("action", "ticket__branch")
    date_hierarchy = "at"
    search_fields = ("ticket__number", "=ticket__branch__code", "actor__username")
    list_select_related = ("ticket", "actor", "counter__branch")
    show_full_result_count = False
