"""The infrastructure's records in the admin: read-only, written by services only. And the
mixin that records what head office changes in an admin of its own (`AuditedAdminMixin`)."""

from typing import Any

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from .audit import Origin, audit_fields, audit_record
from .models import AuditEntry, IdempotencyKey, RateLimitWindow


class ReadOnlyAdminMixin:
    """Records written by services only: head office may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AuditedAdminMixin:
    """Records each add, change and delete made on this admin's pages, inlines included, in the
    audit trail: who, from which address, and the changed fields before and after.

    For records with no service of their own (staff, configuration): the admin is their only
    interface, so this is where their changes are made, and where they are logged. The admin
    runs each save and delete in a transaction, so an entry commits or rolls back with its
    change; a form that is refused saves nothing and records nothing, and so does a page saved
    unchanged. Actions are "<model name>.added", ".changed" and ".deleted"; a field named in
    `audit_never` (a password hash) is never recorded.
    """

    audit_never: tuple[str, ...] = ("password",)

    def audit_branch(self, obj: Any) -> str:
        """The branch code the trail files a change of `obj` under; none unless an app says."""
        return ""

    def audit(
        self,
        request: HttpRequest,
        obj: models.Model,
        verb: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record `verb` done to `obj` on this admin's page, by the request's user and address.
        Call inside the change's transaction."""
        audit_record(
            f"{obj._meta.model_name}.{verb}",
            subject=obj,
            by=Origin.of_request(request),
            branch=self.audit_branch(obj),
            before=before,
            after=after,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        fields = self._audited(obj, form.changed_data if change else list(form.fields))
        before = audit_fields(_stored(obj), fields) if change and fields else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if fields or not change:
            self.audit(
                request,
                obj,
                "changed" if change else "added",
                before=before,
                after=_submitted(obj, form, fields),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Recorded first: once deleted, the record has no primary key left to name it by.
        self.audit(request, obj, "deleted", before=self._all_fields(obj))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The changelist's "delete selected" runs outside a transaction of its own.
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                self.audit(request, obj, "deleted", before=self._all_fields(obj))
            super().delete_queryset(request, queryset)  # type: ignore[misc]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        deleted, model = formset.deleted_forms, formset.model
        assert model is not None  # a model formset's
        stored = model._base_manager.in_bulk(
            [row.instance.pk for row in formset.initial_forms if row.has_changed()]
        )
        changed, added = [], []
        for row in formset.forms:
            if row in deleted:
                if row.instance.pk is not None:
                    self.audit(
                        request, row.instance, "deleted", before=self._all_fields(row.instance)
                    )
            elif row.has_changed() and row.instance.pk in stored:
                fields = self._audited(row.instance, row.changed_data)
                if fields:
                    changed.append((row, fields, audit_fields(stored[row.instance.pk], fields)))
            elif row.has_changed() and row.instance.pk is None:
                added.append((row, self._audited(row.instance, list(row.fields))))
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for row, fields, before in changed:
            self.audit(
                request,
                row.instance,
                "changed",
                before=before,
                after=_submitted(row.instance, row, fields),
            )
        for row, fields in added:
            self.audit(request, row.instance, "added", after=_submitted(row.instance, row, fields))

    def _audited(self, obj: models.Model, names: list[str]) -> list[str]:
        """Of `names` (a form's fields), those the trail keeps: the model's own fields."""
        kept = {
            field.name
            for field in (*obj._meta.concrete_fields, *obj._meta.many_to_many)
            if not field.primary_key and field.name not in self.audit_never
        }
        return [name for name in names if name in kept]

    def _all_fields(self, obj: models.Model) -> dict[str, Any]:
        return audit_fields(obj, self._audited(obj, [f.name for f in obj._meta.concrete_fields]))


def _stored(obj: models.Model) -> models.Model:
    """`obj` as the database still has it: the form has already applied its values to `obj`."""
    return type(obj)._base_manager.get(pk=obj.pk)


def _submitted(obj: models.Model, form: ModelForm, fields: list[str]) -> dict[str, Any]:
    """The saved values of `fields`; a many-to-many field's from the form, which the admin
    saves only after `save_model`."""
    values = audit_fields(
        obj, [name for name in fields if not obj._meta.get_field(name).many_to_many]
    )
    for name in fields:
        if obj._meta.get_field(name).many_to_many:
            values[name] = sorted(item.pk for item in form.cleaned_data.get(name) or [])
    return values


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
