"""Who works where: staff memberships and their roles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .branches import Branch


class StaffMembership(models.Model):
    """What a staff user may touch: one branch as teller or lobby manager, or all as head office."""

    class Role(models.TextChoices):
        TELLER = "teller", _("teller")
        LOBBY_MANAGER = "lobby_manager", _("lobby manager")
        HEAD_OFFICE = "head_office", _("head office")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("branch"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "branch"], name="one_membership_per_branch"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(branch__isnull=True), name="one_head_office_membership"
            ),
            models.CheckConstraint(
                condition=(Q(role="head_office") & Q(branch__isnull=True))
                | (Q(role__in=["teller", "lobby_manager"]) & Q(branch__isnull=False)),
                name="branch_roles_have_a_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} {self.branch.code if self.branch else ''}"
