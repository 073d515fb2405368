"""Small factories: the fewest fields that make a valid object, overridable by keyword."""

import itertools
from datetime import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

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
