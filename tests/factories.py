"""Small factories: the fewest fields that make a valid object, overridable by keyword."""

import itertools
from datetime import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from queueing import services
from queueing.models import Branch, Counter, OpeningHours, Service, StaffMembership, Ticket

_serial = itertools.count(1)
ALL_DAY = (time(0, 0), time.max)


def make_branch(
    code: str = "GZ-TH01",
    *,
    hours: tuple[time, time] | None = ALL_DAY,
    weekdays: range = range(7),
    **fields,
) -> Branch:
    """A branch open every day, around the clock unless `hours` says otherwise."""
    defaults = dict(
        name_zh="天河支行",
        name_en="Tianhe Sub-branch",
        city_zh="广州",
        city_en="Guangzhou",
        address_zh="广州市天河区天河路1号",
        address_en="1 Tianhe Road, Tianhe, Guangzhou",
        latitude=Decimal("23.135000"),
        longitude=Decimal("113.320000"),
    )
    branch = Branch.objects.create(code=code, **{**defaults, **fields})
    if hours is not None:
        OpeningHours.objects.bulk_create(
            OpeningHours(branch=branch, weekday=day, opens=hours[0], closes=hours[1])
            for day in weekdays
        )
    return branch


def make_service(branch: Branch, prefix: str = "A", **fields) -> Service:
    defaults = dict(
        name_zh=f"业务{prefix}", name_en=f"Service {prefix}", default_handling_minutes=5
    )
    return Service.objects.create(branch=branch, prefix=prefix, **{**defaults, **fields})


def make_counter(
    branch: Branch, number: int, services_: list[Service], *, is_open: bool = True, **fields
) -> Counter:
    counter = Counter.objects.create(branch=branch, number=number, is_open=is_open, **fields)
    counter.services.set(services_)
    return counter


def make_user(username: str | None = None, **fields) -> AbstractBaseUser:
    username = username or f"user{next(_serial)}"
    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", **fields
    )


def make_staff(
    branch: Branch | None, *, role: str = "teller", username: str | None = None
) -> AbstractBaseUser:
    user = make_user(username)
    StaffMembership.objects.create(user=user, branch=branch, role=role)
    return user


def make_head_office(username: str | None = None) -> AbstractBaseUser:
    return make_staff(None, role=StaffMembership.Role.HEAD_OFFICE, username=username)


def issue(
    service: Service, count: int = 1, *, channel: str = Ticket.Channel.REMOTE, **kwargs
) -> list[Ticket]:
    return [services.ticket_issue(service=service, channel=channel, **kwargs) for _ in range(count)]


# Signing in ----------------------------------------------------------------------------------


def make_totp_device(
    user: AbstractBaseUser, *, confirmed: bool = True, name: str = "phone"
) -> TOTPDevice:
    """A TOTP authenticator of `user`, as enrolment leaves it once its first code is confirmed."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)


def totp_code(device: TOTPDevice, *, steps_later: int = 0) -> str:
    """The code the authenticator app of `device` shows now, or `steps_later` 30-second steps on
    (a code is accepted once: a second sign-in within the same step needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + steps_later * device.step
    return f"{totp.token():0{device.digits}d}"


def signed_in(user: AbstractBaseUser, *, second_factor: bool = True) -> Client:
    """A client signed in as `user`. With `second_factor`, its session is verified by a confirmed
    TOTP device of the user (made if it has none), as the sign-in's code step leaves it."""
    client = Client()
    client.force_login(user)
    if second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or make_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
