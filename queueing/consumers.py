"""WebSocket consumers for the live lobby. Thin shells: who may connect, which group to join, and
which selector builds what the client gets. The rules live in services and selectors.

Protocol (every message is JSON with a `type`):
- server → client `snapshot`: the whole state, with the branch's lobby `version`;
- server → client `change`: what changed, with the next `version`. A client applies a change only
  if its version is exactly one more than its own; on any gap it sends `resync`;
- client → server `resync`: answered with a fresh snapshot;
- client → server `ping`, answered by `pong` with the current version, so that a client whose
  changes were lost (a broadcast failed, Redis restarted) notices within one ping.
Close codes: 4403 not allowed, 4404 no such branch or ticket, 4400 an address no part of the
product can read; clients do not retry those. 1008 after too many frames it cannot read, 1011
when the server failed (clients reconnect). See branchsite/infra/sockets.py.
"""

import asyncio
import logging
import time
import weakref
from collections import Counter as TallyCounter
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from branchsite.infra.sockets import JsonSocket

from . import lobby, selectors
from .models import Branch, Ticket
from .serializers import TicketSerializer

logger = logging.getLogger(__name__)

NOT_ALLOWED = 4403
NOT_FOUND = 4404

# Consumers of one process that need the same payload for the same lobby version share one build:
# a call reaches every screen of the branch that this process holds with one set of queries. A
# build belongs to its event loop (a future cannot be awaited from another), and is forgotten
# SHARED_BUILD_SECONDS after it began, or with its loop.
SHARED_BUILD_SECONDS = 10.0
_builds: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, asyncio.Future]]" = (
    weakref.WeakKeyDictionary()
)


async def shared_build(key: tuple, build: Callable[..., Any], **kwargs: Any) -> Any:
    loop = asyncio.get_running_loop()
    builds = _builds.setdefault(loop, {})
    future = builds.get(key)
    if future is None:
        future = asyncio.ensure_future(database_sync_to_async(build)(**kwargs))
        builds[key] = future
        loop.call_later(SHARED_BUILD_SECONDS, builds.pop, key, None)
    return await asyncio.shield(future)


# Every client pings every few seconds: a process reads a branch's version at most once a second
# for all of them, so 2,000 screens cost a few queries a second, not hundreds.
PING_VERSION_SECONDS = 1.0


async def current_version(branch_id: int) -> int:
    moment = int(time.monotonic() / PING_VERSION_SECONDS)
    return await shared_build(
        ("version", branch_id, moment), lobby.lobby_version, branch_id=branch_id
    )


class BranchLobbyConsumer(JsonSocket):
    """Joins a branch's lobby group, sends a snapshot, then a change for every lobby version."""

    branch: Branch

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        branch = await database_sync_to_async(Branch.objects.filter(code=code).first)()
        await self.accept()
        if branch is None or not branch.is_active:
            await self.close(code=NOT_FOUND)
            return
        self.branch = branch
        if not await database_sync_to_async(self.may_follow)():
            await self.close(code=NOT_ALLOWED)
            return
        await self.join(lobby.lobby_group(branch.pk))
        await self.send_snapshot(shared=True)

    def may_follow(self) -> bool:
        return True

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resync":
            await self.send_snapshot()
        elif kind == "ping":
            version = await current_version(self.branch.pk)
            await self.send_json({"type": "pong", "version": version})
        else:
            await self.refuse_frame("unknown_message")

    snapshot: Callable[[Branch], dict]

    async def send_snapshot(self, *, shared: bool = False) -> None:
        """Send the whole state. After a server restart every screen reconnects at once: those of
        one branch that find the same lobby version share one build, begun after they read it,
        so none gets a snapshot older than the lobby it connected to. A resync is built afresh."""
        if shared:
            version = await database_sync_to_async(lobby.lobby_version)(self.branch.pk)
            key = (type(self).__name__, "snapshot", self.branch.pk, version)
            snapshot = await shared_build(key, type(self).snapshot, branch=self.branch)
        else:
            snapshot = await database_sync_to_async(type(self).snapshot)(self.branch)
        await self.send_json(snapshot)

    async def build_change(self, event: dict) -> dict:
        raise NotImplementedError

    async def lobby_changed(self, event: dict) -> None:
        try:
            change = await self.build_change(event)
        except Exception:
            # The client notices the missing version on its next ping and resyncs.
            logger.exception("Could not build lobby change %s", event.get("version"))
            return
        await self.send_json(change)


class ScreenConsumer(BranchLobbyConsumer):
    """`/ws/screens/<code>/`: a wall screen. Anyone; public data only."""

    snapshot = staticmethod(lobby.screen_snapshot)

    async def build_change(self, event: dict) -> dict:
        return await shared_build(
            ("screen", self.branch.pk, event["version"]),
            lobby.screen_change,
            branch_id=self.branch.pk,
            version=event["version"],
            called_ticket_id=event["call"],
            sections=event.get("sections", []),
        )


class LobbyConsumer(BranchLobbyConsumer):
    """`/ws/lobby/<code>/`: the lobby board and counter pages. Staff of the branch only."""

    def may_follow(self) -> bool:
        return selectors.user_may_act_for_branch(self.scope["user"], self.branch)

    snapshot = staticmethod(lobby.lobby_snapshot)

    async def build_change(self, event: dict) -> dict:
        return await shared_build(
            ("lobby", self.branch.pk, event["version"]),
            lobby.lobby_change,
            branch_id=self.branch.pk,
            version=event["version"],
            ticket_ids=event["tickets"],
            called_ticket_id=event["call"],
            sections=event.get("sections", []),
        )


def _ticket_state(ticket_id: int) -> tuple[int, dict]:
    ticket = Ticket.objects.select_related(
        "branch", "service", "counter", "notification_subscription"
    ).get(pk=ticket_id)
    return ticket.branch.lobby_version, dict(TicketSerializer(ticket).data)


# The tickets this process's sockets follow, per branch, with how many sockets follow each (a
# customer may have the page open twice). A change in the branch is read once for all of them: a
# busy branch with hundreds of remote tickets would otherwise cost hundreds of reads per change.
# Per branch, not per queue: a counter calls across its queues, so a call in one queue moves the
# tickets of every other queue that counter serves (`selectors.forecast`).
_followed: dict[int, TallyCounter[int]] = defaultdict(TallyCounter)


def _followed_states(ticket_ids: list[int]) -> dict[int, dict]:
    """What each followed ticket of one branch looks like now, by ticket id: one forecast for
    all of them."""
    tickets = list(
        Ticket.objects.select_related(
            "branch", "service", "counter", "notification_subscription"
        ).filter(pk__in=ticket_ids)
    )
    now = timezone.now()
    forecasts: dict[Any, selectors.LobbyForecast] = {}
    for ticket in tickets:
        if ticket.status == Ticket.Status.WAITING:
            day = ticket.business_day
            if day not in forecasts:
                forecasts[day] = selectors.lobby_forecast(ticket.branch_id, day=day, now=now)
            ticket._progress = forecasts[day].progress(ticket.pk)  # type: ignore[attr-defined]
    return {ticket.pk: dict(TicketSerializer(ticket).data) for ticket in tickets}


class TicketConsumer(JsonSocket):
    """`/ws/tickets/<token>/`: the holder of a ticket follows it. The token is the key.

    Every lobby version of the branch reaches the holder, so that versions have no gaps; the
    ticket itself is sent again only when what the holder sees of it changed.
    """

    ticket_id: int
    branch_id: int
    sent: dict | None = None  # the ticket as the holder last got it

    async def connect(self) -> None:
        token = self.scope["url_route"]["kwargs"]["token"]
        found = await database_sync_to_async(
            Ticket.objects.filter(token=token).values_list("pk", "branch_id").first
        )()
        await self.accept()
        if found is None:
            await self.close(code=NOT_FOUND)
            return
        self.ticket_id, self.branch_id = found
        _followed[self.branch_id][self.ticket_id] += 1
        await self.join(lobby.lobby_group(self.branch_id))
        await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "branch_id"):
            followers = _followed[self.branch_id]
            followers[self.ticket_id] -= 1
            if followers[self.ticket_id] <= 0:
                del followers[self.ticket_id]
            if not followers:
                del _followed[self.branch_id]

    async def send_snapshot(self) -> None:
        version, ticket = await database_sync_to_async(_ticket_state)(self.ticket_id)
        self.sent = ticket
        await self.send_json({"type": "snapshot", "version": version, "ticket": ticket})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resync":
            await self.send_snapshot()
        elif kind == "ping":
            version = await current_version(self.branch_id)
            await self.send_json({"type": "pong", "version": version})
        else:
            await self.refuse_frame("unknown_message")

    async def lobby_changed(self, event: dict) -> None:
        change: dict[str, Any] = {"type": "change", "version": event["version"]}
        if event["tickets"] or event["counters"] or event["services"]:
            try:
                states = await shared_build(
                    ("followed", self.branch_id, event["version"]),
                    _followed_states,
                    ticket_ids=sorted(_followed[self.branch_id]),
                )
                ticket = states.get(self.ticket_id)
                if ticket is None:  # followed only since that build began
                    _, ticket = await database_sync_to_async(_ticket_state)(self.ticket_id)
            except Exception:
                logger.exception("Could not build ticket change %s", event.get("version"))
                return
            if ticket != self.sent:
                change["ticket"] = self.sent = ticket
        await self.send_json(change)
