"""Registering kiosks and rotating their keys. Each is recorded in the audit trail with the
key's first letters (its hint) only: never the key, never its hash."""

import secrets

from django.db import transaction

from branchsite.infra.audit import Actor, audit_fields, audit_record
from queueing.models import Branch

from .models import Kiosk, hash_device_key


def kiosk_register(*, branch: Branch, name: str, actor: Actor | None = None) -> tuple[Kiosk, str]:
    """Create a kiosk and return it with its device key, which is shown this once only."""
    raw_key = "k_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        kiosk = Kiosk.objects.create(
            branch=branch, name=name, key_hash=hash_device_key(raw_key), key_hint=raw_key[:8]
        )
        audit_record(
            "kiosk.registered",
            subject=kiosk,
            by=actor,
            branch=branch.code,
            after=audit_fields(kiosk, ["branch", "name", "is_active", "key_hint"]),
        )
    return kiosk, raw_key


def kiosk_rotate_key(*, kiosk: Kiosk, actor: Actor | None = None) -> str:
    """Give the kiosk a new device key; the old one stops working at once."""
    raw_key = "k_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        before = audit_fields(kiosk, ["key_hint"])
        kiosk.key_hash = hash_device_key(raw_key)
        kiosk.key_hint = raw_key[:8]
        kiosk.save(update_fields=["key_hash", "key_hint"])
        audit_record(
            "kiosk.key_rotated",
            subject=kiosk,
            by=actor,
            branch=kiosk.branch.code,
            before=before,
            after=audit_fields(kiosk, ["key_hint"]),
        )
    return raw_key
