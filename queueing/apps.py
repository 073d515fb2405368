from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from .models import Branch, OpeningHours, Service
        from .selectors.branches import forget_issuing_lookups

        for model in (Branch, Service, OpeningHours):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_issuing_lookups, sender=model, dispatch_uid=f"issuing-{model}"
                )
