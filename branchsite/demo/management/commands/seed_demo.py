"""Demo data: branches in Guangzhou, Foshan and Shantou, their staff and kiosks, and a busy lobby.

The head-office 'admin' signs in with a code from an authenticator app: it gets a published demo
key, as every demo account gets the published password, and the report prints both.

Idempotent: every row is upserted on its natural key, a kiosk is registered only for a branch that
has none, demo tickets are issued only for a branch with no tickets today, and tomorrow's demo
cash withdrawals are booked only where they are not booked yet. Tickets go through
`queueing.services`, like every ticket, so numbers, events and estimates are real.
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import cycle
from typing import TypedDict

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiosks.models import Kiosk
from kiosks.services import kiosk_register
from queueing import selectors, services
from queueing.errors import QueueError
from queueing.models import (
    Appointment,
    Branch,
    Counter,
    OpeningHours,
    Service,
    StaffMembership,
    Ticket,
)

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_USERNAME = "admin"
# Head office signs in with a code from an authenticator app too. The demo admin's key is
# published like its password: hex of b"branchsite-demo-2026", in base 32 for the apps.
DEMO_TOTP_KEY = "6272616e6368736974652d64656d6f2d32303236"
DEMO_TOTP_NAME = "demo authenticator"
KIOSK_NAME = "Lobby kiosk 1"
TOTP_CODE_COMMAND = f"DEBUG=1 .venv/bin/python manage.py totp_code {ADMIN_USERNAME}"


class BranchRow(TypedDict):
    code: str
    name_zh: str
    name_en: str
    city_zh: str
    city_en: str
    address_zh: str
    address_en: str
    latitude: Decimal
    longitude: Decimal
    counters: int  # how many rows of COUNTERS the branch has


BRANCHES: list[BranchRow] = [
    {
        "code": "GZ-TH01",
        "name_zh": "天河路支行",
        "name_en": "Tianhe Road Sub-branch",
        "city_zh": "广州",
        "city_en": "Guangzhou",
        "address_zh": "广州市天河区天河路385号",
        "address_en": "385 Tianhe Road, Tianhe District, Guangzhou",
        "latitude": Decimal("23.133520"),
        "longitude": Decimal("113.326890"),
        "counters": 5,
    },
    {
        "code": "GZ-YX02",
        "name_zh": "北京路支行",
        "name_en": "Beijing Road Sub-branch",
        "city_zh": "广州",
        "city_en": "Guangzhou",
        "address_zh": "广州市越秀区北京路238号",
        "address_en": "238 Beijing Road, Yuexiu District, Guangzhou",
        "latitude": Decimal("23.125180"),
        "longitude": Decimal("113.269740"),
        "counters": 4,
    },
    {
        "code": "GZ-HZ03",
        "name_zh": "江南西支行",
        "name_en": "Jiangnan West Sub-branch",
        "city_zh": "广州",
        "city_en": "Guangzhou",
        "address_zh": "广州市海珠区江南西路56号",
        "address_en": "56 Jiangnan West Road, Haizhu District, Guangzhou",
        "latitude": Decimal("23.099260"),
        "longitude": Decimal("113.271430"),
        "counters": 3,
    },
    {
        "code": "FS-CC01",
        "name_zh": "祖庙路支行",
        "name_en": "Zumiao Road Sub-branch",
        "city_zh": "佛山",
        "city_en": "Foshan",
        "address_zh": "佛山市禅城区祖庙路33号",
        "address_en": "33 Zumiao Road, Chancheng District, Foshan",
        "latitude": Decimal("23.034680"),
        "longitude": Decimal("113.113870"),
        "counters": 4,
    },
    {
        "code": "FS-NH02",
        "name_zh": "桂城支行",
        "name_en": "Guicheng Sub-branch",
        "city_zh": "佛山",
        "city_en": "Foshan",
        "address_zh": "佛山市南海区南海大道北62号",
        "address_en": "62 Nanhai Avenue North, Nanhai District, Foshan",
        "latitude": Decimal("23.038720"),
        "longitude": Decimal("113.145920"),
        "counters": 3,
    },
    {
        "code": "ST-LH01",
        "name_zh": "长平路支行",
        "name_en": "Changping Road Sub-branch",
        "city_zh": "汕头",
        "city_en": "Shantou",
        "address_zh": "汕头市龙湖区长平路95号",
        "address_en": "95 Changping Road, Longhu District, Shantou",
        "latitude": Decimal("23.369240"),
        "longitude": Decimal("116.704560"),
        "counters": 4,
    },
    {
        "code": "ST-JP02",
        "name_zh": "小公园支行",
        "name_en": "Xiaogongyuan Sub-branch",
        "city_zh": "汕头",
        "city_en": "Shantou",
        "address_zh": "汕头市金平区升平路18号",
        "address_en": "18 Shengping Road, Jinping District, Shantou",
        "latitude": Decimal("23.356310"),
        "longitude": Decimal("116.677980"),
        "counters": 3,
    },
]

# prefix, Chinese name, English name, default handling minutes, over-time threshold minutes,
# appointment places per slot, reserves cash (booked a day ahead with amount and currency),
# priority (called first; issued in the branch only)
SERVICES = [
    ("A", "现金业务", "Cash", 5, 20, 0, False, False),
    ("B", "非现金业务", "Non-cash", 8, 30, 2, False, False),
    ("C", "理财业务", "Wealth management", 15, 40, 2, False, False),
    ("D", "大额取款", "Large cash withdrawal", 10, 30, 2, True, False),
    ("V", "优先服务", "Priority", 6, 15, 0, False, True),
]

# number, prefixes served, open: a branch takes the first `counters` rows. Counter 1 is the
# teller's who signs in; a colleague sits at each other open counter (only a staffed counter
# calls). The first three cover every service, so every queue moves.
COUNTERS = [
    (1, "ADV", True),
    (2, "AB", True),
    (3, "BC", True),
    (4, "ACD", False),
    (5, "AB", False),
]

WEEKDAY_HOURS = (time(9, 0), time(17, 0))
WEEKEND_HOURS = (time(9, 30), time(16, 0))
ALWAYS_OPEN_HOURS = (time(0, 0), time.max)

# Demo tickets per service; the first ones are served, the rest wait.
DEMO_TICKETS = {"A": 6, "B": 4, "C": 3, "V": 2}
# Tianhe has a rush at the cash counters, so that its wait goes over the threshold and customers
# are offered the shorter queues of the other Guangzhou branches (pre-queueing).
RUSH_TICKETS = {"GZ-TH01": {"A": 12}}
# Large cash withdrawals booked for tomorrow at 10:00 (a slot with bank hours and always-open
# alike), so that head office's reserved cash has something to show.
# Each branch's customers have their own phones: (name, amount).
DEMO_CASH_BOOKINGS = [("王小明", Decimal("80000")), ("", Decimal("60000"))]
DEMO_CHANNELS = ("kiosk", "remote", "kiosk")
# The demo morning is replayed over the last 45 minutes (or since opening, if less): tickets are
# issued in its first half and served in its second, so waits and handling times look real.
DEMO_WINDOW = timedelta(minutes=45)
SERVED_PER_OPEN_COUNTER = 2


@dataclass
class Login:
    username: str
    role: str
    branch: str


def opening_hours_for(weekday: int, *, always_open: bool) -> tuple[time, time]:
    if always_open:
        return ALWAYS_OPEN_HOURS
    return WEEKDAY_HOURS if weekday < 5 else WEEKEND_HOURS


def seed_branch(row: BranchRow, *, always_open: bool) -> Branch:
    fields = {key: value for key, value in row.items() if key not in {"code", "counters"}}
    branch, _ = Branch.objects.update_or_create(
        code=row["code"], defaults={**fields, "time_zone": "Asia/Shanghai", "is_active": True}
    )
    for weekday in OpeningHours.Weekday.values:
        opens, closes = opening_hours_for(weekday, always_open=always_open)
        OpeningHours.objects.update_or_create(
            branch=branch, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    for prefix, name_zh, name_en, handling, threshold, places, reserves_cash, priority in SERVICES:
        Service.objects.update_or_create(
            branch=branch,
            prefix=prefix,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "default_handling_minutes": handling,
                "overtime_threshold_minutes": threshold,
                "appointment_capacity": places,
                "appointment_slot_minutes": 30,
                "reserves_cash": reserves_cash,
                "is_priority": priority,
                "is_active": True,
            },
        )
    return branch


def seed_user(username: str, password_hash: str, *, superuser: bool = False):
    """Create or reset a demo user: the demo password always works after a run."""
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "password": password_hash,
            "is_active": True,
            # Staff log in through the admin's login page, which admits staff accounts only;
            # without permissions a teller sees nothing there.
            "is_staff": True,
            "is_superuser": superuser,
        },
    )
    return user


def seed_staff(branch: Branch, password_hash: str) -> list[Login]:
    code = branch.code.lower()
    teller = seed_user(f"teller-{code}", password_hash)
    lobby_manager = seed_user(f"lobby-{code}", password_hash)
    StaffMembership.objects.update_or_create(
        user=teller, branch=branch, defaults={"role": StaffMembership.Role.TELLER}
    )
    StaffMembership.objects.update_or_create(
        user=lobby_manager, branch=branch, defaults={"role": StaffMembership.Role.LOBBY_MANAGER}
    )
    return [
        Login(teller.username, "teller", f"{branch.code}, counter 1"),
        Login(lobby_manager.username, "lobby manager", branch.code),
    ]


def seed_colleague(branch: Branch, number: int):
    """The teller at counter `number`: a demo account nobody signs in with."""
    colleague, _ = get_user_model().objects.get_or_create(
        username=f"teller-{branch.code.lower()}-{number}", defaults={"is_active": True}
    )
    colleague.set_unusable_password()
    colleague.save(update_fields=["password"])
    StaffMembership.objects.update_or_create(
        user=colleague, branch=branch, defaults={"role": StaffMembership.Role.TELLER}
    )
    return colleague


def seed_counters(branch: Branch, count: int) -> None:
    teller = get_user_model().objects.get(username=f"teller-{branch.code.lower()}")
    # One counter per teller: free the teller from any other counter an admin moved them to.
    Counter.objects.filter(teller=teller).exclude(branch=branch, number=1).update(teller=None)
    by_prefix = {service.prefix: service for service in branch.services.all()}
    for number, prefixes, is_open in COUNTERS[:count]:
        defaults: dict = {"is_open": is_open, "teller": None}
        if number == 1:
            defaults["teller"] = teller
        elif is_open:
            defaults["teller"] = seed_colleague(branch, number)
        counter, _ = Counter.objects.update_or_create(
            branch=branch, number=number, defaults=defaults
        )
        counter.services.set([by_prefix[prefix] for prefix in prefixes])


def seed_head_office(password_hash: str) -> Login:
    admin = seed_user(ADMIN_USERNAME, password_hash, superuser=True)
    StaffMembership.objects.update_or_create(
        user=admin, branch=None, defaults={"role": StaffMembership.Role.HEAD_OFFICE}
    )
    seed_authenticator(admin)
    return Login(admin.username, "head office (superuser)", "all branches")


def seed_authenticator(user) -> TOTPDevice:
    """Give `user` the demo authenticator key, confirmed and out of any back-off, as its only
    one: an app set up with the printed key keeps working after every run."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_NAME,
        defaults={
            "key": DEMO_TOTP_KEY,
            "confirmed": True,
            "throttling_failure_count": 0,
            "throttling_failure_timestamp": None,
        },
    )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def seed_kiosk(branch: Branch) -> tuple[Kiosk, str] | None:
    """Register the branch's first kiosk; None if it has one (its key was shown back then)."""
    if branch.kiosks.exists():
        return None
    return kiosk_register(branch=branch, name=KIOSK_NAME)


def seed_cash_bookings(branch: Branch, branch_number: int, now: datetime) -> int:
    """Book tomorrow's demo withdrawals that are not booked yet; how many were booked."""
    service = branch.services.get(prefix="D")
    start = datetime.combine(
        branch.business_day(now) + timedelta(days=1), time(10), tzinfo=branch.zone
    )
    booked = 0
    for customer, (name, amount) in enumerate(DEMO_CASH_BOOKINGS):
        phone = f"13800{branch_number:03d}{customer:03d}"
        if Appointment.objects.filter(
            branch=branch, phone=phone, day=start.date(), status__in=Appointment.ACTIVE_STATUSES
        ).exists():
            continue
        services.appointment_book(
            service=service,
            start=start,
            phone=phone,
            name=name,
            cash_amount=amount,
            cash_currency="CNY",
            now=now,
        )
        booked += 1
    return booked


def demo_window(branch: Branch, now: datetime) -> tuple[datetime, timedelta]:
    """The stretch of today's opening hours to replay the demo morning in: (start, length)."""
    local = branch.local_time(now)
    hours = branch.opening_hours.get(weekday=local.weekday())
    opened = datetime.combine(local.date(), hours.opens, tzinfo=branch.zone)
    length = min(DEMO_WINDOW, now - opened)
    return now - length, length


def seed_traffic(branch: Branch, now: datetime) -> str:
    """Issue and serve some tickets through the queue services; say what happened."""
    if Ticket.objects.filter(branch=branch, business_day=branch.business_day(now)).exists():
        return "demo traffic skipped: the branch has tickets today already"
    if not selectors.branch_is_open(branch=branch, at=now):
        return "demo traffic skipped: the branch is closed now (--always-open opens it all day)"
    try:
        with transaction.atomic():
            return _replay_morning(branch, now)
    except QueueError as refused:
        return f"demo traffic skipped: {refused.code} ({refused.detail})"


def _replay_morning(branch: Branch, now: datetime) -> str:
    start, length = demo_window(branch, now)
    by_prefix = {service.prefix: service for service in branch.services.all()}
    # Interleave the queues, as customers arrive: A B C V A B C V A B A A ...
    arrivals = []
    remaining = dict(DEMO_TICKETS)
    for prefix, extra in RUSH_TICKETS.get(branch.code, {}).items():
        remaining[prefix] += extra
    while any(remaining.values()):
        for prefix in remaining:
            if remaining[prefix]:
                arrivals.append(by_prefix[prefix])
                remaining[prefix] -= 1
    issuing = length / 2
    channels = cycle(DEMO_CHANNELS)
    for index, service in enumerate(arrivals):
        services.ticket_issue(
            service=service,
            # Priority is given in the branch: at the kiosk.
            channel="kiosk" if service.is_priority else next(channels),
            now=start + issuing * index / len(arrivals),
        )

    counters = list(
        branch.counters.filter(is_open=True).select_related("branch", "teller").order_by("number")
    )
    slot = (length - issuing) / (SERVED_PER_OPEN_COUNTER + 1)
    done = 0
    for round_ in range(SERVED_PER_OPEN_COUNTER):
        called_at = start + issuing + slot * round_
        for counter in counters:
            ticket = services.ticket_call_next(counter=counter, actor=counter.teller, now=called_at)
            if ticket is None:
                continue
            ticket = services.ticket_start(
                ticket=ticket, actor=counter.teller, now=called_at + slot / 10
            )
            services.ticket_finish(ticket=ticket, actor=counter.teller, now=called_at + slot)
            done += 1
    # Each open counter has a customer now: the first is still being called, the others serve.
    at_counters = 0
    for position, counter in enumerate(counters):
        ticket = services.ticket_call_next(counter=counter, actor=counter.teller, now=now)
        if ticket is None:
            continue
        at_counters += 1
        if position > 0:
            services.ticket_start(ticket=ticket, actor=counter.teller, now=now)
    waiting = len(arrivals) - done - at_counters
    return (
        f"{len(arrivals)} demo tickets: {done} done, {at_counters} at counters, {waiting} waiting"
    )


class Command(BaseCommand):
    help = (
        "Create or refresh demo data: seven branches in Guangzhou, Foshan and Shantou with "
        "services, counters, a kiosk, a teller and a lobby manager each, a head-office 'admin', "
        f"and some tickets today. Safe to run again. Demo passwords are reset to {DEMO_PASSWORD} "
        "on every run. Demo tickets are issued only while a branch is open: with its normal "
        "hours (Mon-Fri 09:00-17:00, Sat-Sun 09:30-16:00, Asia/Shanghai) unless --always-open."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--always-open",
            action="store_true",
            help=(
                "Open every branch 00:00-24:00 every day instead of bank hours, so the demo "
                "(taking tickets, calling them) works at any hour."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (it creates an 'admin' with a published password).",
        )

    def handle(self, *args, always_open: bool, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DEBUG=1 "
                "(or --force, on a machine that is not reachable by the public)."
            )
        now = timezone.now()
        # Hashing is slow on purpose; one hash serves every demo account.
        password_hash = make_password(DEMO_PASSWORD)
        logins: list[Login] = []
        kiosk_keys: list[tuple[Kiosk, str]] = []
        traffic: list[str] = []
        with transaction.atomic():
            logins.append(seed_head_office(password_hash))
        for branch_number, row in enumerate(BRANCHES):
            with transaction.atomic():
                branch = seed_branch(row, always_open=always_open)
                logins += seed_staff(branch, password_hash)
                seed_counters(branch, row["counters"])
                registered = seed_kiosk(branch)
                seed_cash_bookings(branch, branch_number, now)
            if registered is not None:
                kiosk_keys.append(registered)
            traffic.append(f"  {branch.code:<8} {branch.name_en}: {seed_traffic(branch, now)}")
        # Like the passwords: a developer who locked a demo account out gets back in.
        for login in logins:
            AxesProxyHandler.reset_attempts(username=login.username)
        self.print_report(logins, kiosk_keys, traffic, always_open=always_open)

    def print_report(
        self,
        logins: list[Login],
        kiosk_keys: list[tuple[Kiosk, str]],
        traffic: list[str],
        *,
        always_open: bool,
    ) -> None:
        hours = "open around the clock (--always-open)" if always_open else "bank hours"
        write = self.stdout.write
        cities = dict.fromkeys(f"{row['city_zh']} {row['city_en']}" for row in BRANCHES)
        write(f"Demo data ready: {len(BRANCHES)} branches in {', '.join(cities)}; {hours}.")
        write("\n".join(traffic))
        write("")
        write("Demo logins (the password is reset to the demo password on every seed_demo run):")
        write(f"  {'username':<16} {'role':<24} {'branch':<20} password")
        for login in logins:
            write(f"  {login.username:<16} {login.role:<24} {login.branch:<20} {DEMO_PASSWORD}")
        write("")
        device = TOTPDevice.objects.get(user__username=ADMIN_USERNAME, name=DEMO_TOTP_NAME)
        secret = b32encode(device.bin_key).decode()
        write(f"Head office signs in with a code too: add the demo key of {ADMIN_USERNAME} to an")
        write("authenticator app (Google Authenticator, FreeOTP...; published, like the password):")
        write(f"  key        {' '.join(secret[i : i + 4] for i in range(0, len(secret), 4))}")
        write(f"  otpauth    {device.config_url}")
        write(f"  no app?    {TOTP_CODE_COMMAND}   (prints the current code)")
        write("")
        if kiosk_keys:
            write("Kiosk device keys created this run (shown once; only their hashes are stored):")
            for kiosk, raw_key in kiosk_keys:
                write(f"  {kiosk.branch.code:<8} {kiosk.name:<16} {raw_key}")
        else:
            write(
                "Kiosk device keys: none created this run (each branch has a kiosk already; "
                "rotate a key in the admin to get a new one)."
            )
