"""Small factories: the fewest fields that make a valid object, overridable by keyword."""

import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from queueing import services
from queueing.models import Branch, Counter, OpeningHours, Service, StaffMembership, Ticket
from queueing.presence import presence_code

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
    branch: Branch,
    number: int,
    services_: list[Service],
    *,
    is_open: bool = True,
    staffed: bool = False,
    **fields,
) -> Counter:
    """With `staffed`, a new teller of the branch sits at the open counter: only staffed
    counters call, and only they count in the forecast."""
    if staffed:
        fields["teller"] = make_staff(branch, role="teller")
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


def make_head_office(
    username: str | None = None, *, administrator: bool = False
) -> AbstractBaseUser:
    """Head office; an `administrator` also runs the admin (staff and superuser, as seeded)."""
    user = make_staff(None, role=StaffMembership.Role.HEAD_OFFICE, username=username)
    if administrator:
        user.is_staff = user.is_superuser = True  # type: ignore[attr-defined]
        user.save()
    return user


def lobby_code(branch: Branch, *, now=None) -> str:
    """The code the branch's wall screens show now: a phone check-in proves presence with it."""
    return presence_code(branch, now=now).code


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


def verify_session(session_key: str, user: AbstractBaseUser) -> None:
    """Mark the session `session_key` as having passed the second factor with a confirmed TOTP
    device of `user` (made if it has none), as the sign-in's code step leaves it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or make_totp_device(user)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def signed_in(user: AbstractBaseUser, *, second_factor: bool = True, client=None) -> Client:
    """A client signed in as `user` (a new one, or `client`). With `second_factor`, its session
    is verified (`verify_session`)."""
    client = client or Client()
    client.force_login(user)
    if second_factor:
        verify_session(client.cookies[settings.SESSION_COOKIE_NAME].value, user)
    return client


# A lobby with something on every page -------------------------------------------------------


def make_lobby_for_every_page(branch: Branch) -> dict:
    """What each page shows, at `branch`: queues A (cash, reserved) and B, a counter staffed by
    its teller, a waiting ticket, tomorrow's appointment with cash reserved, a lobby manager, a
    head-office administrator, and a lobby manager of another branch."""
    cash = make_service(
        branch, "A", name_en="Cash", name_zh="现金", appointment_capacity=2, reserves_cash=True
    )
    non_cash = make_service(branch, "B", name_en="Non-cash", name_zh="非现金")
    teller = make_staff(branch, role=StaffMembership.Role.TELLER, username="teller")
    make_counter(branch, 1, [cash, non_cash], teller=teller)
    (ticket,) = issue(cash)
    tomorrow = branch.business_day(timezone.now()) + timedelta(days=1)
    appointment = services.appointment_book(
        service=cash,
        start=datetime.combine(tomorrow, time(10), tzinfo=branch.zone),
        phone="13812345678",
        cash_amount=Decimal("60000"),
        cash_currency="CNY",
    )
    head_office = make_user("head-office", is_staff=True, is_superuser=True)
    StaffMembership.objects.create(user=head_office, role=StaffMembership.Role.HEAD_OFFICE)
    return {
        "branch": branch,
        "ticket": ticket,
        "appointment": appointment,
        "tomorrow": tomorrow,
        "teller": teller,
        "lobby_manager": make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER),
        "head_office": head_office,
        "stranger": make_staff(make_branch("FS-CC01"), role=StaffMembership.Role.LOBBY_MANAGER),
    }
