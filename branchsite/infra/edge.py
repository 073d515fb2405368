"""The edge: input no part of the product can store or should read is refused here, once, before any
view, with a 4xx and a stable `code`.

- A NUL character anywhere in the path, the query string or a form body. PostgreSQL refuses NUL
  in text, so it would otherwise surface as a 500 from whichever query met it first. JSON bodies
  are checked by `branchsite.infra.parsers.JSONParser`, where the escape `\\u0000` is decoded.
- Request headers over `MAX_REQUEST_HEADER_BYTES` (431). uvicorn with httptools has no limit of
  its own; the reverse proxy should refuse them first (README, "Running in production").

WebSocket handshakes get the same checks in `RefuseUnstorableSockets`, closing with
`CLOSE_BAD_REQUEST` instead of failing the handshake with a 500.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .api_errors import error_response

# Browsers send 1–2 KiB; a session cookie and a token fit many times over.
MAX_REQUEST_HEADER_BYTES = 16 * 1024

# WebSocket close code for a handshake or frame the server cannot take; clients do not retry it.
CLOSE_BAD_REQUEST = 4400


def _has_nul(raw: bytes) -> bool:
    return b"\x00" in raw or b"\x00" in unquote_to_bytes(raw)


def unstorable_characters_in(*, path: str, query_string: bytes) -> bool:
    return "\x00" in path or _has_nul(query_string)


def _header_bytes(meta: dict) -> int:
    return sum(
        len(name) + len(str(value))
        for name, value in meta.items()
        if name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")
    )


class RefuseUnstorableRequests:
    """Django middleware; first in MIDDLEWARE, so nothing before it reads the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _header_bytes(request.META) > MAX_REQUEST_HEADER_BYTES:
            return error_response(
                request,
                status=431,
                code="headers_too_large",
                detail=_("The request's headers are too large."),
            )
        query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        if unstorable_characters_in(path=request.path, query_string=query) or (
            request.content_type == "application/x-www-form-urlencoded" and _has_nul(request.body)
        ):
            return error_response(
                request,
                status=400,
                code="invalid_characters",
                detail=_("The request contains a NUL character, which no field may hold."),
            )
        return self.get_response(request)


class RefuseUnstorableSockets:
    """ASGI middleware for WebSocket handshakes: the same checks, answered with a close code."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        headers = sum(len(name) + len(value) for name, value in scope.get("headers", []))
        if headers > MAX_REQUEST_HEADER_BYTES or unstorable_characters_in(
            path=scope.get("path", ""), query_string=scope.get("query_string", b"")
        ):
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_BAD_REQUEST})
            return
        await self.app(scope, receive, send)
