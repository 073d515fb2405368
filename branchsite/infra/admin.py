"""The infrastructure's records in the admin: read-only, written by services only. And the
mixin that records what head office changes in an admin of its own (`AuditedAdminMixin`)."""

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .audit import Origin, audit_fields, audit_record
from .codes import code_label
from .models import AuditEntry, IdempotencyKey, RateLimitWindow

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReadOnlyAdminMixin:
    """Records written by services only: head office may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LinkRowsUnlistedMixin:
    """The page that confirms a delete leaves out the rows that only link two records (a
    many-to-many field's own table, such as a counter's services): they go with the record, and
    Django names them in words of its own that no catalogue translates ("Counter-service
    relationship: Counter_services object (1)")."""

    def get_deleted_objects(self, objs, request: HttpRequest):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(  # type: ignore[misc]
            objs, request
        )
        links = [
            m._meta for m in apps.get_models(include_auto_created=True) if m._meta.auto_created
        ]
        for opts in links:
            model_count.pop(opts.verbose_name_plural, None)
        prefixes = tuple(f"{capfirst(opts.verbose_name)}: " for opts in links)
        return _unlisted(to_delete, prefixes), model_count, perms_needed, protected


def _unlisted(items: list, prefixes: tuple[str, ...]) -> list:
    """`items` (Django's nested list of what a delete takes) without those starting with one of
    `prefixes`, nor the lists left empty."""
    kept: list = []
    for item in items:
        if isinstance(item, list):
            if nested := _unlisted(item, prefixes):
                kept.append(nested)
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept


def code_filter(field: str, title: "StrOrPromise") -> type[admin.SimpleListFilter]:
    """A list filter of the codes stored in `field`, each by its name (`codes.code_label`)."""

    class CodeFilter(admin.SimpleListFilter):
        parameter_name = f"{field}__exact"

        def lookups(self, request, model_admin):
            codes = model_admin.get_queryset(request).order_by(field).values_list(field, flat=True)
            return [(code, code_label(code)) for code in codes.distinct()]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    CodeFilter.title = title
    return CodeFilter


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
    list_display = ("at", "action_label", "subject", "branch", "actor_name", "device", "address")
    list_filter = (code_filter("action", _("action")), "branch", "subject_type")
    search_fields = ("subject", "actor_name", "device", "=address", "=subject_id")
    date_hierarchy = "at"
    show_full_result_count = False
    fields = (
        "at",
        "action_label",
        "subject_type",
        "subject_id",
        "subject",
        "branch",
        "actor",
        "actor_name",
        "device",
        "address",
        "changes",
    )
    readonly_fields = ("action_label", "changes")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry: AuditEntry) -> str:
        return code_label(entry.action)

    @admin.display(description=_("changes"))
    def changes(self, entry: AuditEntry) -> str:
        """Each recorded field as the record's pages name it, before and after, its values as
        they read there (a status by its name, a counter by its number)."""
        before, after = entry.before or {}, entry.after or {}
        if not before and not after:
            return "—"
        model = entry.subject_type.model_class()
        rows = [
            (
                _field_label(model, name),
                _value_label(model, name, before[name]) if name in before else "",
                _value_label(model, name, after[name]) if name in after else "",
            )
            for name in dict.fromkeys([*before, *after])
        ]
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _model_field(model: type[models.Model] | None, name: str) -> Any:
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    field = _model_field(model, name)
    return capfirst(field.verbose_name) if field is not None else name


def _value_label(model: type[models.Model] | None, name: str, value: Any) -> str:
    """A recorded value as the record's pages show it: a choice by its label, yes or no, a
    related record by its name (its id if it is gone)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    field = _model_field(model, name)
    if field is None:
        return str(value)
    if field.is_relation and field.related_model is not None:
        ids = value if isinstance(value, list) else [value]
        found = field.related_model._base_manager.in_bulk(ids)
        return ", ".join(str(found.get(pk, pk)) for pk in ids)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scope_label", "key", "response_status", "created_at")
    list_display_links = None
    list_filter = (code_filter("scope", _("scope")), "response_status")
    search_fields = ("=key",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    # The stored answer holds the customer's ticket token: list the keys, not the answers.
    fields = ("scope_label", "key", "request_fingerprint", "response_status", "created_at")
    readonly_fields = ("scope_label",)

    @admin.display(description=_("scope"), ordering="scope")
    def scope_label(self, record: IdempotencyKey) -> str:
        return code_label(record.scope)


@admin.register(RateLimitWindow)
class RateLimitWindowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scope_label", "window_start", "used")
    list_filter = (code_filter("scope", _("scope")),)
    # Keys are keyed hashes: nobody can read a phone or address out of them.
    fields = ("scope_label", "window_start", "used")
    readonly_fields = ("scope_label",)
    show_full_result_count = False

    @admin.display(description=_("scope"), ordering="scope")
    def scope_label(self, window: RateLimitWindow) -> str:
        return code_label(window.scope)
