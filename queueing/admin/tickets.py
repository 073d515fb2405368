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
)


class TicketEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "counter", "note")
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
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "ticket", "action", "from_status", "to_status", "actor", "counter")
    list_filter = ("action", "ticket__branch")
    date_hierarchy = "at"
    search_fields = ("ticket__number", "=ticket__branch__code", "actor__username")
    list_select_related = ("ticket", "actor", "counter__branch")
    show_full_result_count = False
