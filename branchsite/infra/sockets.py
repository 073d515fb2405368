"""What every WebSocket of the product shares: frames it cannot read are answered, not crashed on.

Clients send a few small JSON messages (`ping`, `resync`). A frame that is binary, not JSON, or
nested too deeply gets an `{"type": "error", "code": ...}` answer and one warning in the log per
connection; after `BAD_FRAMES_BEFORE_CLOSE` of them the socket is closed with
`CLOSE_POLICY_VIOLATION`. A socket always leaves the groups it joined, however it ends, and a
socket that fails closes with a code the client reconnects on.
"""

import json
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from .parsers import MAX_DEPTH

logger = logging.getLogger(__name__)

BAD_FRAMES_BEFORE_CLOSE = 10
# RFC 6455: the endpoint received a message that violates its policy.
CLOSE_POLICY_VIOLATION = 1008
# RFC 6455: the server met a condition it did not expect; clients reconnect.
CLOSE_SERVER_ERROR = 1011
CLOSE_NOT_FOUND = 4404


class BadFrame(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


class JsonSocket(AsyncJsonWebsocketConsumer):
    """A JSON consumer that survives what a careless or hostile client sends, and a channel layer
    that fails (Redis restarting): the client gets a close code it reconnects on (1011), never a
    failed handshake.

    Subclasses join groups through `join`, so that they are left however the socket ends, and
    handle messages in `receive_json` as usual.
    """

    bad_frames = 0

    async def __call__(self, scope, receive, send) -> None:
        state = {"connect_received": False, "accepted": False, "closed": False}

        async def receive_noting() -> dict:
            message = await receive()
            if message["type"] == "websocket.connect":
                state["connect_received"] = True
            return message

        async def send_noting(message: dict) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await super().__call__(scope, receive_noting, send_noting)
        except Exception:
            logger.exception("WebSocket %s failed; the client is told to reconnect", scope["path"])
            if not state["closed"]:
                if not state["accepted"]:
                    if not state["connect_received"]:
                        await receive()
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_SERVER_ERROR})
        finally:
            await self.leave_groups()

    async def join(self, group: str) -> None:
        self.__dict__.setdefault("joined_groups", set()).add(group)
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception:  # redis.exceptions.ConnectionError is no OSError
            # Redis restarted: the first command on the old connection fails, the retry
            # reconnects. A second failure closes the socket with 1011 (see __call__).
            logger.warning("Joining %s failed; trying once more", group, exc_info=True)
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave_groups(self) -> None:
        for group in self.__dict__.pop("joined_groups", ()):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("Could not leave %s", group, exc_info=True)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            content = json.loads(text_data)
        except RecursionError:
            raise BadFrame("too_deeply_nested") from None
        except ValueError:
            raise BadFrame("invalid_json") from None
        if _depth(content) > MAX_DEPTH:
            raise BadFrame("too_deeply_nested")
        return content

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            if text_data is None:
                raise BadFrame("binary_not_accepted")
            content = await self.decode_json(text_data)
        except BadFrame as bad:
            await self.refuse_frame(bad.code)
            return
        await self.receive_json(content)

    async def refuse_frame(self, code: str) -> None:
        self.bad_frames += 1
        if self.bad_frames == 1:
            logger.warning(
                "WebSocket %s sent a frame it may not (%s); further ones are not logged",
                self.scope["path"],
                code,
            )
        if self.bad_frames >= BAD_FRAMES_BEFORE_CLOSE:
            await self.close(code=CLOSE_POLICY_VIOLATION)
            return
        await self.send_json({"type": "error", "code": code})


class NoSuchSocket(AsyncWebsocketConsumer):
    """Every /ws/ path that no route matches: a clean close instead of a failed handshake."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


class OriginUnlessPublic:
    """The origin check for sockets (`checked`, such as channels' AllowedHostsOriginValidator),
    except for a socket to one of `public_paths` that sends no `Origin` at all.

    Wall screens are often digital-signage players, not browsers, and send no `Origin`; what
    they receive is public. A browser always sends one, so a page of another site is still
    checked, and every staff socket keeps the check.
    """

    def __init__(self, checked: Any, unchecked: Any, *, public_paths: tuple[str, ...]) -> None:
        self.checked, self.unchecked, self.public_paths = checked, unchecked, public_paths

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        without_origin = not any(name == b"origin" for name, _ in scope.get("headers", []))
        if without_origin and scope.get("path", "").startswith(self.public_paths):
            return await self.unchecked(scope, receive, send)
        return await self.checked(scope, receive, send)
