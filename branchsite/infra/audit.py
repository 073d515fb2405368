"""The audit trail: who did what, when, from which device or address, before and after.

Every service that changes something on behalf of staff or a device records it with one call,
inside the change's own transaction, so that the entry commits or rolls back with the change:

    audit_record(
        "counter.closed", subject=counter, by=actor, branch=counter.branch.code,
        before={"is_open": True}, after={"is_open": False},
    )

`by` is the actor the service was given: a staff user, an `Origin` (the user, device and client
address of a request, from `Origin.of_request`), or None for the system itself (a periodic
task). Interfaces pass `Origin.of_request(request)`; tests may pass a user. Customers acting
without an account (booking, cancelling their own appointment) are recorded by their address.

Head office reads the trail in the admin; nothing changes an entry once written.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from .clients import client_address
from .models import AuditEntry

DEVICE_LABEL_ATTRIBUTE = "audit_label"


@dataclass(frozen=True)
class Origin:
    """Who acts and from where. `device` names a device that proved itself (a kiosk)."""

    user: Any = None  # the settings.AUTH_USER_MODEL instance, or None
    device: str = ""
    address: str | None = None

    @property
    def is_staff_or_device(self) -> bool:
        """Staff and devices are named in the audit trail; customers acting without an account
        and the system are not where the record has a history of its own (a ticket's events)."""
        return self.user is not None or bool(self.device)

    @classmethod
    def of_request(cls, request: HttpRequest) -> "Origin":
        """The signed-in user, the device behind the request's credentials (any `request.auth`
        with an `audit_label`, such as a kiosk) and the client address."""
        user = getattr(request, "user", None)
        device = getattr(getattr(request, "auth", None), DEVICE_LABEL_ATTRIBUTE, "")
        return cls(
            user=user if user is not None and user.is_authenticated else None,
            device=str(device)[:120],
            address=_address_or_none(client_address(request)),
        )


Actor = Origin | AbstractBaseUser | AnonymousUser


def _address_or_none(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def origin_of(actor: Actor | None) -> Origin:
    if isinstance(actor, Origin):
        return actor
    if actor is not None and actor.is_authenticated:
        return Origin(user=actor)  # type: ignore[arg-type]
    return Origin()


def acting_user(actor: Actor | None) -> Any:
    """The staff user behind `actor`, or None (a device, a customer, the system)."""
    return origin_of(actor).user


def audit_record(
    action: str,
    *,
    subject: models.Model,
    by: Actor | None,
    branch: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record `action` on `subject`. Call inside the transaction of the change it records."""
    origin = origin_of(by)
    user = origin.user
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        action=action,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        device=origin.device,
        address=origin.address,
        branch=branch,
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=str(subject.pk),
        subject=str(subject)[:200],
        before=before,
        after=after,
    )


def audit_fields(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `instance` as the trail keeps them (a foreign key by its id, a
    many-to-many field as the sorted ids), for `before` and `after`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        elif field.is_relation:
            values[name] = getattr(instance, field.attname)  # type: ignore[union-attr]
        else:
            values[name] = getattr(instance, name)
    return values
