"""Counters, changed only through `services` (opened, closed, staffed, given queues)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import LinkRowsUnlistedMixin
from branchsite.infra.audit import Origin

from .. import services
from ..errors import QueueError
from ..models import (
    Counter,
    Service,
)
from .common import branch_staff, service_label


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    """Services labelled with their branch: every branch has an "A 现金业务"."""

    def label_from_instance(self, obj: Service) -> str:
        return service_label(obj)


class BranchServiceChoiceField(forms.ModelMultipleChoiceField):
    """On a branch's own page, its services need no branch code before each."""

    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.prefix} {obj.name_zh} / {obj.name_en}"


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
            kwargs["form_class"] = BranchServiceChoiceField
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


@admin.register(Counter)
class CounterAdmin(CounterThroughServicesMixin, LinkRowsUnlistedMixin, admin.ModelAdmin):
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
