import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_device_key(raw_key: str) -> str:
    # Keys are long random strings, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class Kiosk(models.Model):
    """A lobby touch screen. It proves itself with a device key given once at registration."""

    branch = models.ForeignKey(
        "queueing.Branch",
        on_delete=models.CASCADE,
        related_name="kiosks",
        verbose_name=_("branch"),
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key starts with"), max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["branch", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="one_kiosk_name_per_branch")
        ]

    def __str__(self) -> str:
        return f"{self.branch.code} {self.name}"

    @property
    def acts_for_branch_id(self) -> int:
        """A kiosk is a `queueing.devices.BranchDevice`: it acts for its own branch only, and
        the queue API knows it from `request.auth` by this and `audit_label`."""
        return self.branch_id

    @property
    def audit_label(self) -> str:
        """How the audit trail names this kiosk when it acts (`branchsite.infra.audit`)."""
        return f"kiosk #{self.pk} {self}"
