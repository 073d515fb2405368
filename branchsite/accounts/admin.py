"""The sign-in's records in the admin, in the reader's language: the authenticator apps staff set
up (django-otp) and the sign-in attempts, failures and logs (django-axes).

Both packages write their labels in English: django-otp marks none of them for translation and
django-axes ships no Chinese catalogue. Their admins are registered again here with labels of our
own; the strings django-axes does mark are translated in the project's catalogue
(`branchsite/third_party_strings.py`). What both packages name in code, not in a label (a
record's `__str__`, such as "Attempted Access: <time>"), stays in English.
"""

from typing import TYPE_CHECKING

from axes.admin import AccessAttemptAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.conf import settings as otp_settings
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def titled(title: "StrOrPromise") -> type[admin.FieldListFilter]:
    """The list filter Django picks for a field, under `title` instead of the field's name."""

    class Titled(admin.FieldListFilter):
        def __new__(cls, *args, **kwargs):
            chosen = admin.FieldListFilter.create(*args, **kwargs)
            chosen.title = title
            return chosen

    return Titled


# The fields of the device's form, as head office reads them (django-otp's own are in English).
AUTHENTICATOR_LABELS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "key": _("secret key"),
    "step": _("time step (seconds)"),
    "t0": _("counting starts at (Unix time)"),
    "digits": _("digits"),
    "tolerance": _("tolerance (steps)"),
    "drift": _("drift (steps)"),
    "throttling_failure_timestamp": _("last wrong code at"),
    "throttling_failure_count": _("wrong codes in a row"),
}
AUTHENTICATOR_HELP = {
    "user": _("The staff member who signs in with this app."),
    "name": _("A name the staff member recognises, such as their phone's."),
    "confirmed": _("Set once the staff member entered a first code from the app."),
    "key": _("The secret the app was set up with, in hexadecimal (up to 40 bytes)."),
    "step": _("How long each code is valid."),
    "t0": _("When the first step starts."),
    "digits": _("How many digits each code has."),
    "tolerance": _("How many steps before or after now a code may be from."),
    "drift": _("How many steps the app's clock is known to be off."),
    "throttling_failure_timestamp": _("Empty once a code was right."),
    "throttling_failure_count": _("Each wrong code makes the next try wait longer."),
}


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAppAdmin(TOTPDeviceAdmin):
    list_display = ["user_name", "device_name", "created", "last_used", "is_confirmed"]
    list_filter = [
        ("created_at", titled(_("created at"))),
        ("last_used_at", titled(_("last used at"))),
        ("confirmed", titled(_("confirmed"))),
    ]
    search_help_text = _("Search by the staff member's username or email address")
    readonly_fields = ["created", "last_used", "qrcode_link"]

    def get_fieldsets(self, request: HttpRequest, obj: TOTPDevice | None = None):
        # As django-otp's, under titles of our own; the key only while the device is new.
        configuration = ["step", "t0", "digits", "tolerance"]
        if obj is None or not otp_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA:
            configuration.insert(0, "key")
        return [
            (_("Whose"), {"fields": ["user", "name", "confirmed"]}),
            (_("When"), {"fields": ["created", "last_used"]}),
            (_("Configuration"), {"fields": configuration}),
            (_("Clock"), {"fields": ["drift"]}),
            (
                _("Wrong codes"),
                {"fields": ["throttling_failure_timestamp", "throttling_failure_count"]},
            ),
        ]

    def get_form(self, request: HttpRequest, obj: TOTPDevice | None = None, **kwargs):
        kwargs.setdefault("labels", AUTHENTICATOR_LABELS)
        kwargs.setdefault("help_texts", AUTHENTICATOR_HELP)
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=_("user"), ordering="user__username")
    def user_name(self, device: TOTPDevice) -> str:
        return device.user.get_username()

    @admin.display(description=_("name"), ordering="name")
    def device_name(self, device: TOTPDevice) -> str:
        return device.name

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, device: TOTPDevice):
        # Read-only fields show what a method returns as it is: "None" for a device not saved.
        return device.created_at or self.get_empty_value_display()

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used(self, device: TOTPDevice):
        return device.last_used_at or self.get_empty_value_display()

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, device: TOTPDevice) -> bool:
        return device.confirmed


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """django-axes' admin, with the columns and the message it writes in English translated."""

    actions = ["cleanup_expired_attempts"]

    @admin.display(description=_("expires at"))
    def expiration(self, obj: AccessAttempt):
        return obj.expiration.expires_at if hasattr(obj, "expiration") else _("never")

    @admin.display(description=_("status"))
    def status(self, obj: AccessAttempt) -> str:
        left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return str(_("locked out"))
        return ngettext("%(count)d try left", "%(count)d tries left", left) % {"count": left}

    @admin.action(description=_("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Axes reckons the cool-off back from the request's attempt time, which it sets on
        # sign-in requests only: without it, django-axes' own action fails on the admin's.
        request.axes_attempt_time = timezone.now()  # type: ignore[attr-defined]
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired attempt cleaned up.",
                "%(count)d expired attempts cleaned up.",
                count,
            )
            % {"count": count},
        )
