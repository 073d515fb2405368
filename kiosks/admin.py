"""Kiosks in Django admin. Keys come from `kiosks.services`: shown once, stored only as a hash.
Registering and rotating are recorded by those services; any other change (a name, switching a
kiosk off, deleting it) by the admin's audit mixin."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from branchsite.infra.admin import AuditedAdminMixin
from branchsite.infra.audit import Origin
from branchsite.infra.codes import name_codes

from .models import Kiosk
from .services import kiosk_register, kiosk_rotate_key

name_codes(
    {
        "kiosk.registered": gettext_lazy("kiosk registered"),
        "kiosk.key_rotated": gettext_lazy("kiosk's device key rotated"),
    }
)


def show_key_once(request: HttpRequest, kiosk: Kiosk, raw_key: str) -> None:
    messages.success(
        request,
        format_html(
            _(
                "Device key of kiosk {kiosk}: <code>{key}</code>. Enter it on the kiosk now: it is "
                "shown this once and cannot be shown again (only its hash is stored)."
            ),
            kiosk=kiosk,
            key=raw_key,
        ),
    )


@admin.register(Kiosk)
class KioskAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "branch", "key_hint", "is_active", "last_seen_at")
    list_filter = ("branch", "is_active")
    search_fields = ("name", "branch__code", "branch__name_zh", "branch__name_en")
    list_select_related = ("branch",)
    autocomplete_fields = ("branch",)
    readonly_fields = ("key_hint", "last_seen_at")
    actions = ("rotate_key",)

    def get_fields(self, request: HttpRequest, obj: Kiosk | None = None):
        if obj is None:
            return ("branch", "name")
        return ("branch", "name", "is_active", "key_hint", "last_seen_at")

    def audit_branch(self, obj: Kiosk) -> str:
        return obj.branch.code

    def save_model(self, request: HttpRequest, obj: Kiosk, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        kiosk, raw_key = kiosk_register(
            branch=obj.branch, name=obj.name, actor=Origin.of_request(request)
        )
        # The admin goes on with `obj` (history entry, redirect): make it the registered row.
        obj.pk = kiosk.pk
        obj.key_hash, obj.key_hint, obj.is_active = kiosk.key_hash, kiosk.key_hint, kiosk.is_active
        obj._state.adding, obj._state.db = False, kiosk._state.db
        show_key_once(request, kiosk, raw_key)

    @admin.action(
        description=gettext_lazy("Rotate the device key (the old key stops working at once)"),
        permissions=("change",),
    )
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[Kiosk]) -> None:
        actor = Origin.of_request(request)
        for kiosk in queryset.select_related("branch"):
            raw_key = kiosk_rotate_key(kiosk=kiosk, actor=actor)
            self.log_change(request, kiosk, [{"changed": {"fields": [gettext_noop("device key")]}}])
            show_key_once(request, kiosk, raw_key)
