"""Branches with their opening hours, services and counters, and services on their own."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import LinkRowsUnlistedMixin
from branchsite.infra.audit import Origin

from .. import services
from ..models import (
    Branch,
    Counter,
    OpeningHours,
    Service,
)
from .common import AuditedAdmin
from .counters import CounterInline, CounterThroughServicesMixin, configure_counter


class CityFilter(admin.SimpleListFilter):
    """Cities in the admin's language; each is stored in both."""

    title = _("city")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        chinese = (get_language() or "").startswith("zh")
        cities = Branch.objects.order_by("city_en").values_list("city_en", "city_zh").distinct()
        return [(city_en, city_zh if chinese else city_en) for city_en, city_zh in cities]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(city_en=self.value())
        return queryset


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    max_num = len(OpeningHours.Weekday)

    def get_extra(self, request, obj=None, **kwargs) -> int:
        # A new branch gets a row per weekday; a configured one only what is missing.
        configured = obj.opening_hours.count() if obj is not None and obj.pk else 0
        return len(OpeningHours.Weekday) - configured


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = (
        "prefix",
        "name_zh",
        "name_en",
        "default_handling_minutes",
        "overtime_threshold_minutes",
        "live_handling_minutes",
        "appointment_capacity",
        "appointment_slot_minutes",
        "reserves_cash",
        "is_active",
    )
    readonly_fields = ("live_handling_minutes",)

    @admin.display(description=_("live handling time (minutes)"))
    def live_handling_minutes(self, service: Service) -> str:
        if service.pk is None or service.live_handling_seconds is None:
            return "—"
        return f"{service.live_handling_seconds / 60:.1f}"


@admin.register(Branch)
class BranchAdmin(
    CounterThroughServicesMixin, LinkRowsUnlistedMixin, AuditedAdmin, admin.ModelAdmin
):
    list_display = ("code", "name_zh", "name_en", "city_names", "is_active")
    list_filter = (CityFilter, "is_active")
    search_fields = ("code", "name_zh", "name_en", "address_zh", "address_en")
    fieldsets = (
        (None, {"fields": ("code", "name_zh", "name_en", "is_active")}),
        (
            _("Location"),
            {
                "fields": (
                    ("city_zh", "city_en"),
                    "address_zh",
                    "address_en",
                    ("latitude", "longitude"),
                    "time_zone",
                )
            },
        ),
        (_("Wall screens"), {"fields": ("announce_in",)}),
    )
    inlines = (OpeningHoursInline, ServiceInline, CounterInline)

    class Media:
        # Sizes the inlines' fields to fit head office's screen (1366 pixels wide).
        css = {"all": ("queueing/admin.css",)}

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Counter:
            super().save_formset(request, form, formset, change)
            return
        # What the admin's change message reads, filled as the services apply each form.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        actor = Origin.of_request(request)
        for counter_form in formset.deleted_forms:
            if counter_form.instance.pk is not None:
                services.counter_remove(counter=counter_form.instance, actor=actor)
                formset.deleted_objects.append(counter_form.instance)
        for counter_form in formset.forms:
            if counter_form in formset.deleted_forms or not counter_form.has_changed():
                continue
            is_new = counter_form.instance.pk is None
            counter = configure_counter(request, counter_form)
            if is_new:
                formset.new_objects.append(counter)
            else:
                formset.changed_objects.append((counter, counter_form.changed_data))

    @admin.display(description=_("city"), ordering="city_en")
    def city_names(self, branch: Branch) -> str:
        return f"{branch.city_zh} / {branch.city_en}"


@admin.register(Service)
class ServiceAdmin(LinkRowsUnlistedMixin, AuditedAdmin, admin.ModelAdmin):
    list_display = (
        "branch",
        "prefix",
        "name_zh",
        "name_en",
        "default_handling_minutes",
        "overtime_threshold_minutes",
        "live_handling_minutes",
        "appointment_capacity",
        "reserves_cash",
        "is_active",
    )
    list_filter = ("branch", "prefix", "is_active", "reserves_cash")
    search_fields = ("branch__code", "prefix", "name_zh", "name_en")
    list_select_related = ("branch",)
    autocomplete_fields = ("branch",)
    exclude = ("live_handling_seconds",)
    readonly_fields = ("live_handling_minutes",)

    @admin.display(description=_("live handling time (minutes)"))
    def live_handling_minutes(self, service: Service) -> str:
        # Kept by the services as tickets finish; editing it here would only skew estimates.
        if service.live_handling_seconds is None:
            return "—"
        return f"{service.live_handling_seconds / 60:.1f}"
