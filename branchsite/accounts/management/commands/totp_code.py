"""`manage.py totp_code USERNAME`: the code a user's authenticator app shows now.

For development machines, where the demo admin's key is published (seed_demo) and a developer
may have no authenticator app at hand. With DEBUG off it refuses: elsewhere the code is the
proof that someone holds the phone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current code of a user's authenticator app (DEBUG=1 only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("totp_code runs only with DEBUG=1, on a development machine.")
        device = (
            TOTPDevice.objects.filter(user__username=username, confirmed=True)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{username} has no authenticator app.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        seconds_left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(
            f"{totp.token():0{device.digits}d}  (for {seconds_left} more seconds, then the next)"
        )
