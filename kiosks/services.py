import secrets

from queueing.models import Branch

from .models import Kiosk, hash_device_key


def kiosk_register(*, branch: Branch, name: str) -> tuple[Kiosk, str]:
    """Create a kiosk and return it with its device key, which is shown this once only."""
    raw_key = "k_" + secrets.token_urlsafe(32)
    kiosk = Kiosk.objects.create(
        branch=branch, name=name, key_hash=hash_device_key(raw_key), key_hint=raw_key[:8]
    )
    return kiosk, raw_key


def kiosk_rotate_key(*, kiosk: Kiosk) -> str:
    """Give the kiosk a new device key; the old one stops working at once."""
    raw_key = "k_" + secrets.token_urlsafe(32)
    kiosk.key_hash = hash_device_key(raw_key)
    kiosk.key_hint = raw_key[:8]
    kiosk.save(update_fields=["key_hash", "key_hint"])
    return raw_key
