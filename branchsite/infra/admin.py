"""The infrastructure's records in the admin: read-only, written by services only."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry, IdempotencyKey, RateLimitWindow


class ReadOnlyAdminMixin:
    """Records written by services only: head office may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "subject", "branch", "actor_name", "device", "address")
    list_filter = ("action", "branch", "subject_type")
    search_fields = ("subject", "actor_name", "device", "=address", "=subject_id")
    date_hierarchy = "at"
    show_full_result_count = False
    fields = (
        "at",
        "action",
        "subject_type",
        "subject_id",
        "subject",
        "branch",
        "actor",
        "actor_name",
        "device",
        "address",
        "before",
        "after",
    )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scope", "key", "response_status", "created_at")
    list_display_links = None
    list_filter = ("scope", "response_status")
    search_fields = ("=key",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    # The stored answer holds the customer's ticket token: list the keys, not the answers.
    fields = ("scope", "key", "request_fingerprint", "response_status", "created_at")


@admin.register(RateLimitWindow)
class RateLimitWindowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scope", "window_start", "used")
    list_filter = ("scope",)
    # Keys are keyed hashes: nobody can read a phone or address out of them.
    exclude = ("key",)
    show_full_result_count = False
