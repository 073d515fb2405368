from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UmbrellasConfig(AppConfig):
    name = "umbrellas"
    verbose_name = _("Umbrellas")
