"""The infrastructure's own records: idempotency keys, rate-limit counts and the audit trail.

No model here refers to a domain app's: every app may write here, and this app imports none.
IdempotencyKey and RateLimitWindow were born in `queueing` and keep its table names.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import code_label


class IdempotencyKey(models.Model):
    """The first answer to a creating POST, replayed when a client retries with the same key."""

    scope = models.CharField(_("scope"), max_length=64)
    # A keyed hash of who sent the key (a user, a kiosk, or an anonymous client's address): the
    # same key from another caller is another key, so nobody replays someone else's answer.
    caller = models.CharField(max_length=64, default="")
    key = models.CharField(_("idempotency key"), max_length=255)
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        db_table = "queueing_idempotencykey"  # made by queueing's first migration
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "caller", "key"], name="one_answer_per_key_and_caller"
            )
        ]

    def __str__(self) -> str:
        return f"{code_label(self.scope)}: {self.key}"


class RateLimitWindow(models.Model):
    """How many times a key (a hashed phone or client address) used a scope in a time window.

    Taken with one conditional upsert, so parallel requests can never pass the limit together.
    """

    scope = models.CharField(_("scope"), max_length=32)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField(_("window starts at"))
    used = models.PositiveIntegerField(_("uses"))

    class Meta:
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")
        db_table = "queueing_ratelimitwindow"  # made by queueing's migration 0004
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="one_count_per_key_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_limit_window_idx")]

    def __str__(self) -> str:
        start = f"{self.window_start:%Y-%m-%d %H:%M}"
        return f"{code_label(self.scope)} {self.key[:8]} {start} {self.used}"


class AuditEntry(models.Model):
    """One staff or device action: who, what, when, from which device or address, and what it
    changed. Written by the service that made the change, in the change's own transaction
    (`branchsite.infra.audit.audit_record`), and never changed afterwards."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    # "<subject>.<verb>", such as "counter.closed" or "kiosk.key_rotated": stable, for filters.
    action = models.CharField(_("action"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
    )
    # The user name at the time, kept when the account is deleted later.
    actor_name = models.CharField(_("staff user name"), max_length=150, blank=True)
    device = models.CharField(_("device"), max_length=120, blank=True)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # The branch code, so that head office can read one branch's trail.
    branch = models.CharField(_("branch"), max_length=16, blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    subject_id = models.CharField(_("record"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "at"], name="audit_branch_at_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {code_label(self.action)} {self.subject}"
