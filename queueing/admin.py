"""Django admin for head office: branches and their set-up, staff, and a read-only view of tickets.

Configuration (branches, opening hours, services, counters, staff) is edited here directly. Tickets
and appointments change only through `queueing.services`, so their admin pages show them and
change nothing except through those services (cancelling appointments).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from branchsite.infra.audit import Origin
from branchsite.infra.dates import parse_day
from branchsite.infra.errors import InvalidInput

from . import selectors, services
from .errors import QueueError
from .models import (
    Appointment,
    AppointmentSlot,
    Branch,
    Counter,
    OpeningHours,
    Service,
    StaffMembership,
    Ticket,
    TicketEvent,
)

User = get_user_model()


def branch_staff(branch: Branch | None) -> QuerySet:
    """The tellers of `branch`: the only ones who may staff its counters."""
    if branch is None or branch.pk is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__branch=branch, memberships__role=StaffMembership.Role.TELLER
        )
        .distinct()
        .order_by("username")
    )


def service_label(service: Service) -> str:
    return f"{service.branch.code} · {service.prefix} {service.name_zh} / {service.name_en}"


class AuditedAdmin(AuditedAdminMixin):
    """Staff and configuration have no service of their own: what head office changes on these
    pages is recorded in the audit trail here, filed under the branch it belongs to."""

    def audit_branch(self, obj) -> str:
        if isinstance(obj, Branch):
            return obj.code
        branch = getattr(obj, "branch", None)
        return branch.code if isinstance(branch, Branch) else ""


# Branches ---------------------------------------------------------------------------------------


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


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    """Services labelled with their branch: every branch has an "A 现金业务"."""

    def label_from_instance(self, obj: Service) -> str:
        return service_label(obj)


class CounterForm(forms.ModelForm):
    """A counter serves services of its own branch and is staffed by that branch's staff."""

    class Meta:
        model = Counter
        fields = ("branch", "number", "services", "is_open", "teller")

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        # On a counter's own page its branch is read-only, so not in the form.
        branch = cleaned.get("branch") or getattr(self.instance, "branch", None)
        if branch is None:
            return cleaned
        foreign = [s for s in cleaned.get("services") or [] if s.branch_id != branch.pk]
        if foreign:
            self.add_error(
                "services",
                _("Choose services of %(branch)s only: %(foreign)s is not one.")
                % {"branch": branch.code, "foreign": service_label(foreign[0])},
            )
        teller = cleaned.get("teller")
        if teller is not None and not branch_staff(branch).filter(pk=teller.pk).exists():
            self.add_error(
                "teller",
                _("%(user)s is not staff of %(branch)s; add a staff membership first.")
                % {"user": teller.get_username(), "branch": branch.code},
            )
        return cleaned


class CounterInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # One counter per teller: the database refuses a second, so say it on the form instead.
        seen: set[int] = set()
        deleted = self.deleted_forms
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form in deleted:
                continue
            teller = form.cleaned_data.get("teller")
            if teller is None:
                continue
            if teller.pk in seen:
                form.add_error("teller", _("This teller already staffs another counter."))
            seen.add(teller.pk)


class CounterInline(admin.TabularInline):
    model = Counter
    form = CounterForm
    formset = CounterInlineFormSet
    extra = 0
    fields = ("number", "services", "is_open", "teller")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Counter]:
        return super().get_queryset(request).select_related("teller").prefetch_related("services")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "services":
            kwargs["form_class"] = ServiceChoiceField
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The form class is built afresh for each request, so narrowing its fields is safe.
        services = formset.form.base_fields["services"]
        teller = formset.form.base_fields["teller"]
        assert isinstance(services, forms.ModelMultipleChoiceField)
        assert isinstance(teller, forms.ModelChoiceField)
        if obj is not None and obj.pk:
            services.queryset = Service.objects.filter(branch=obj).select_related("branch")
        else:
            services.queryset = Service.objects.none()
            services.help_text = _(
                "Save the branch with its services first, then choose each counter's services."
            )
        teller.queryset = branch_staff(obj)
        return formset


class CounterThroughServicesMixin:
    """Counters change only through `services`: opening, closing, seating a teller and choosing
    queues are checked, recorded in the audit trail and broadcast to the lobby, here as at the
    counter. A refusal (closing a counter with a customer) rolls the whole form back and says why.
    """

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except QueueError as refused:
            messages.error(request, refused.detail)
            return redirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
        except QueueError as refused:
            messages.error(request, refused.detail)
            return redirect(request.get_full_path())


def configure_counter(request: HttpRequest, form: forms.ModelForm) -> Counter:
    """Apply a counter form through `services.counter_configure`. The form's instance already
    holds the wanted values; the service reads the counter's current ones itself."""
    wanted = form.cleaned_data
    return services.counter_configure(
        counter=form.instance,
        number=wanted["number"],
        services=wanted.get("services") or [],
        is_open=bool(wanted.get("is_open")),
        # Left as it was, the teller field follows the rules: closing a counter unseats them.
        teller=wanted.get("teller") if "teller" in form.changed_data else services.KEEP_TELLER,
        actor=Origin.of_request(request),
    )


@admin.register(Branch)
class BranchAdmin(CounterThroughServicesMixin, AuditedAdmin, admin.ModelAdmin):
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
class ServiceAdmin(AuditedAdmin, admin.ModelAdmin):
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


@admin.register(Counter)
class CounterAdmin(CounterThroughServicesMixin, admin.ModelAdmin):
    form = CounterForm
    list_display = ("branch", "number", "service_prefixes", "is_open", "teller")
    list_filter = ("branch", "is_open")
    search_fields = ("branch__code", "branch__name_zh", "branch__name_en", "teller__username")
    list_select_related = ("branch", "teller")
    autocomplete_fields = ("branch", "teller")
    filter_horizontal = ("services",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Counter]:
        return super().get_queryset(request).prefetch_related("services")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A counter stays in its branch: its tickets and history belong there.
        return ("branch",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Counter, form, change: bool) -> None:
        form.instance = configure_counter(request, form)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        pass  # the queues were set by the service in save_model

    def delete_model(self, request: HttpRequest, obj: Counter) -> None:
        services.counter_remove(counter=obj, actor=Origin.of_request(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Counter]) -> None:
        actor = Origin.of_request(request)
        for counter in queryset.select_related("branch"):
            services.counter_remove(counter=counter, actor=actor)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "services":
            kwargs["form_class"] = ServiceChoiceField
            kwargs["queryset"] = Service.objects.select_related("branch").order_by(
                "branch__code", "prefix"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("services"))
    def service_prefixes(self, counter: Counter) -> str:
        return " ".join(sorted(service.prefix for service in counter.services.all()))


# Tickets: read-only ------------------------------------------------------------------------------


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


# Staff ------------------------------------------------------------------------------------------


@admin.register(StaffMembership)
class StaffMembershipAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("user", "role", "branch")
    list_filter = ("role", "branch")
    search_fields = ("user__username", "user__first_name", "user__last_name", "branch__code")
    list_select_related = ("user", "branch")
    autocomplete_fields = ("user", "branch")


class StaffMembershipInline(admin.TabularInline):
    model = StaffMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("branch",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMembership]:
        return super().get_queryset(request).select_related("branch")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(AuditedAdmin, UserAdmin):
    """Django's user admin, with the branch memberships that scope what each user may do. Both
    are recorded in the audit trail: a membership changed here as on its own page."""

    inlines = (*UserAdmin.inlines, StaffMembershipInline)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page that sets a user's password. That it was set, and by whom, is
        recorded; the password and its hash never are."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # The page answers a password it set with a redirect to the user's page; a refused
            # form is shown again (200), an unknown user redirects without a user to name.
            user = self.get_object(request, unquote(id)) if request.method == "POST" else None
            if user is not None and response.status_code == 302:
                self.audit(request, user, "password_changed")
        return response


# Appointments -------------------------------------------------------------------------------


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
