"""The Django admin is head office's (SPEC §1): the site admits head office and superusers whose
sign-in passed the second factor, and nobody else, on every page and action alike.

`is_staff` alone is not enough: demo and real tellers have it, and each ModelAdmin's own checks
were never written to keep a branch's staff out of the other branches. The site's one rule is
the API's rule (`user_is_head_office`), so no page of it can forget it.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from queueing.selectors import user_is_head_office


class HeadOfficeAdminSite(admin.AdminSite):
    # The product's name in the reader's language, as on the customers' pages, not "Django".
    site_header = _("Smart Branch")
    site_title = _("Smart Branch")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        # Set by django-otp's middleware: the session's sign-in passed the code step.
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return False
        if not hasattr(request, "_admits_head_office"):
            request._admits_head_office = user_is_head_office(user)  # type: ignore[attr-defined]
        return request._admits_head_office  # type: ignore[attr-defined]

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """One sign-in form for everyone, with its lockout and second factor: the staff one."""
        if request.user.is_authenticated:
            raise PermissionDenied("The admin is for head office.")
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, login_url=settings.LOGIN_URL)
