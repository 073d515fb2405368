"""The one way lobby changes leave the server: a small message to the branch's group, sent after
the change's transaction commits.

The message names what changed (ticket, service and counter ids), the branch's new lobby version
and the ticket that was called, if any. Each consumer turns it into what its client needs, through
the same selectors the pages use. A failed send is logged and never fails the request: the
database holds the truth, and clients resynchronise when they notice a gap (see consumers).
"""

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def lobby_group(branch_id: int) -> str:
    return f"lobby.{branch_id}"


def lobby_changed(
    *,
    branch_id: int,
    version: int,
    ticket_ids: Iterable[int] = (),
    service_ids: Iterable[int] = (),
    counter_ids: Iterable[int] = (),
    called_ticket_id: int | None = None,
) -> None:
    message = {
        "type": "lobby.changed",
        "version": version,
        "tickets": sorted(set(ticket_ids)),
        "services": sorted(set(service_ids)),
        "counters": sorted(set(counter_ids)),
        "call": called_ticket_id,
    }
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(lobby_group(branch_id), message)
    except Exception:
        logger.exception(
            "Broadcast of lobby version %s of branch %s failed; its clients catch up on their "
            "next ping",
            version,
            branch_id,
        )
