from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class HeadOfficeAdminConfig(AdminConfig):
    """django.contrib.admin, with the site that admits head office only."""

    default_site = "branchsite.admin_site.HeadOfficeAdminSite"


class SignInAttemptsConfig(AxesConfig):
    """django-axes under a name head office reads in its language (axes names itself "Axes")."""

    verbose_name = _("Sign-in attempts")


class AuthenticatorAppsConfig(TOTPConfig):
    """django-otp's TOTP devices under names head office reads in its language: the app has no
    name of its own ("Otp_Totp"), and the model's "TOTP device" is not marked for translation."""

    verbose_name = _("Authenticator apps")

    def ready(self) -> None:
        super().ready()
        # Only `Meta`'s own attributes (`original_attrs`) reach migrations: these names are for
        # the pages, and django-otp's migrations stay as they are.
        opts = self.get_model("TOTPDevice")._meta
        opts.verbose_name = _("authenticator app")
        opts.verbose_name_plural = _("authenticator apps")
