"""Who is asking: the client's network address, as the limits and the sign-in lockout count it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client, never one the client can choose.

    With no proxy (`NUM_PROXIES=0`) it is the socket's peer: `X-Forwarded-For` is whatever the
    client wrote and is ignored. Behind `NUM_PROXIES=n` proxies that each append the address they
    saw, it is exactly the n-th address from the right: the one the outermost proxy saw. Anything
    further left was written by the client. A header shorter than that (a request that bypassed
    a proxy) or an entry that is no address falls back to the socket's peer.
    """
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return peer
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
