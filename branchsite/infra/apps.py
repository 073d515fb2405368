from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "branchsite.infra"
    label = "infra"
    verbose_name = _("Audit trail and safeguards")
