"""Staff: memberships of branches, the users with their memberships, and groups."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import LinkRowsUnlistedMixin

from ..models import (
    StaffMembership,
)
from .common import AuditedAdmin, User

# Django names the permissions it makes for each model in English, once, in the database
# ("Can add branch"); these name them in the reader's language.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """The permission as Django's own label reads ("<app> | <model> | <what it allows>"), in
    the reader's language; an app's own permission by its name, translated where a catalogue
    has it."""
    content_type = permission.content_type
    model = content_type.model_class()
    action = permission.codename.partition("_")[0]
    if (
        model is not None
        and action in DEFAULT_PERMISSIONS
        and action in model._meta.default_permissions
        and permission.codename == f"{action}_{model._meta.model_name}"
    ):
        allows = DEFAULT_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        allows = gettext(permission.name)
    return f"{content_type.app_labeled_name} | {allows}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class PermissionsInReadersLanguageMixin:
    """The permission pickers of users and groups, each permission in the reader's language."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's, with its warning translatable: Django joins it to the help text in English,
    once, when it is imported."""

    # Lazy, as Django's own help text is (the stubs say str).
    usable_password_help_text = format_lazy(  # type: ignore[assignment]
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


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
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(
    PermissionsInReadersLanguageMixin, LinkRowsUnlistedMixin, AuditedAdmin, UserAdmin
):
    """Django's user admin, with the branch memberships that scope what each user may do. Both
    are recorded in the audit trail: a membership changed here as on its own page."""

    inlines = (*UserAdmin.inlines, StaffMembershipInline)
    change_password_form = PasswordChangeForm

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


@admin.register(Group)
class StaffGroupAdmin(PermissionsInReadersLanguageMixin, LinkRowsUnlistedMixin, GroupAdmin):
    """Django's group admin, its permissions in the reader's language."""
