from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from .models import Kiosk, hash_device_key


class KioskKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Kiosk <device key>`: request.auth is the kiosk; the user stays anonymous.

    The queue API knows the kiosk there as a `queueing.devices.BranchDevice`, without importing
    this app, and its services decide what the kiosk may do."""

    keyword = "Kiosk"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed kiosk key header.")
        try:
            raw_key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Malformed kiosk key header.") from None
        kiosk = (
            Kiosk.objects.select_related("branch")
            .filter(key_hash=hash_device_key(raw_key), is_active=True)
            .first()
        )
        if kiosk is None:
            raise exceptions.AuthenticationFailed("Unknown or disabled kiosk key.")
        return AnonymousUser(), kiosk

    def authenticate_header(self, request):
        return self.keyword
