"""Staff: memberships of branches, and the users with their memberships."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from ..models import (
    StaffMembership,
)
from .common import AuditedAdmin, User


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
