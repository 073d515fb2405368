"""The counters where tellers serve."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .branches import Branch, Service


class Counter(models.Model):
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="counters", verbose_name=_("branch")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    services = models.ManyToManyField(Service, related_name="counters", verbose_name=_("services"))
    is_open = models.BooleanField(_("open"), default=False)
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counters",
        verbose_name=_("teller"),
    )

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "number"], name="one_counter_number_per_branch"
            ),
            models.UniqueConstraint(
                fields=["teller"], condition=Q(teller__isnull=False), name="one_counter_per_teller"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="counter_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.branch.code} #{self.number}"
