"""The one way lobby changes leave the server: a small message to the branch's group, sent after
the change's transaction commits.

The message names what changed (ticket, service and counter ids), the branch's new lobby version
and the ticket that was called, if any. Each consumer turns it into what its client needs, through
the same selectors the pages use. The send never waits for Redis and never fails the request
(branchsite/infra/broadcast.py): the database holds the truth, and clients resynchronise when they
notice a gap (see consumers).
"""

from collections.abc import Iterable

from branchsite.infra.broadcast import group_send_soon


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
    group_send_soon(lobby_group(branch_id), message)
