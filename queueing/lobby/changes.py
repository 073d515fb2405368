"""How any app tells the live lobby that something changed.

A change of the lobby (a ticket, a counter, a kiosk cart, the umbrella stock) bumps the branch's
`lobby_version` in the change's own transaction and, once that transaction commits, sends one
small message to the branch's group. Each consumer turns the message into what its client needs
(`queueing.lobby.snapshots`). The send never waits for Redis and never fails the request
(branchsite/infra/broadcast.py): the database holds the truth, and clients resynchronise when
they notice a gap in the versions.
"""

from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction

from branchsite.infra.broadcast import group_send_soon

from ..models import Branch, Ticket

BUMP_VERSION = (
    "UPDATE queueing_branch SET lobby_version = lobby_version + 1 WHERE id = %s "
    "RETURNING lobby_version"
)


def lobby_group(branch_id: int) -> str:
    return f"lobby.{branch_id}"


def lobby_version(branch_id: int) -> int:
    return Branch.objects.values_list("lobby_version", flat=True).get(pk=branch_id)


def lobby_changed(
    branch_id: int,
    *,
    tickets: Iterable[Ticket] = (),
    services: Iterable[int] = (),
    counters: Iterable[int] = (),
    sections: Iterable[str] = (),
    call: Ticket | None = None,
    version: int | None = None,
) -> int:
    """Count a change of the branch's lobby and announce it once the transaction commits.

    Preconditions: call inside the transaction that makes the change (an atomic block, or
    autocommit for a change of one statement), after the change is written, so that the new
    version and the change commit or roll back together; name what changed, so that each client
    rebuilds only that: the tickets (their services and counters follow), other services and
    counters by id, the registered `sections` by name, and `call`, the ticket just called, for
    the screens to announce. `version` is for a caller that took the new version in its own
    statement (the one-statement ticket issue on PostgreSQL).

    Returns the branch's new lobby version.
    """
    if version is None:
        with connection.cursor() as cursor:
            cursor.execute(BUMP_VERSION, [branch_id])
            (version,) = cursor.fetchone()
    tickets = list(tickets)
    message = {
        "type": "lobby.changed",
        "version": version,
        "tickets": sorted({ticket.pk for ticket in tickets}),
        "services": sorted({*services, *(ticket.service_id for ticket in tickets)}),
        "counters": sorted({*counters, *(t.counter_id for t in tickets if t.counter_id)}),
        "sections": sorted(set(sections)),
        "call": call.pk if call is not None else None,
    }
    transaction.on_commit(partial(group_send_soon, lobby_group(branch_id), message))
    return version
