"""Counters: opening, closing and seating a teller. Every interface (the counter page, the API,
the admin) goes through these, so each change is checked, counted as a change of the lobby and
broadcast.

Invariants: a counter's row lock serialises its opening, closing and every call at it (see
`lock_counter`); a counter closes only with nobody called or being served there; a teller holds
one counter at a time (also a database constraint).
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from branchsite.infra.audit import Actor, acting_user, audit_fields, audit_record

from .. import selectors
from ..errors import QueueError
from ..lobby import lobby_changed
from ..models import Counter, Service, Ticket

Status = Ticket.Status
AT_THE_COUNTER = (Status.CALLED, Status.SERVING)


def lock_counter(counter: Counter) -> Counter:
    """Lock the counter's row until the transaction ends and read its state into `counter`.

    Call inside `transaction.atomic()`. `ticket_call_next`, `counter_open` and `counter_close`
    all take this lock first, so none of them acts on a copy another has just made stale.
    """
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    counter.is_open, counter.teller_id = locked.is_open, locked.teller_id
    return counter


def refuse_if_busy(counter: Counter) -> None:
    """Raise `counter_busy` while a customer is called to the counter or served there: a counter
    holds one customer at a time (also a database constraint). Call holding its row lock."""
    if Ticket.objects.filter(counter=counter, status__in=AT_THE_COUNTER).exists():
        raise QueueError(
            "counter_busy",
            _("Counter %(number)s still has a customer; finish or mark no-show first.")
            % {"number": counter.number},
        )


def counter_open(*, counter: Counter, actor: Actor | None) -> Counter:
    """Open a counter; a teller who opens it takes it (one counter per teller at a time)."""
    with transaction.atomic():
        if lock_counter(counter).is_open:
            raise QueueError(
                "counter_already_open",
                _("Counter %(number)s is open already.") % {"number": counter.number},
            )
        before = _state(counter)
        Counter.objects.filter(pk=counter.pk).update(is_open=True)
        counter.is_open = True
        seat_teller(counter, actor)
        _changed(counter, "counter.opened", actor=actor, before=before)
    counter.refresh_from_db()
    return counter


def counter_close(*, counter: Counter, actor: Actor | None) -> Counter:
    """Close a counter once it has nobody called or being served; its teller leaves it."""
    with transaction.atomic():
        if not lock_counter(counter).is_open:
            raise QueueError(
                "counter_already_closed",
                _("Counter %(number)s is closed already.") % {"number": counter.number},
            )
        refuse_if_busy(counter)
        before = _state(counter)
        Counter.objects.filter(pk=counter.pk).update(is_open=False, teller=None)
        counter.is_open, counter.teller = False, None
        _changed(counter, "counter.closed", actor=actor, before=before)
    counter.refresh_from_db()
    return counter


def counter_assign_teller(*, counter: Counter, teller: User | None, actor: Actor | None) -> Counter:
    """Seat `teller` at the counter, or nobody with None (head office, in the admin). The teller
    must be a teller of the counter's branch, and leaves any other counter they held."""
    with transaction.atomic():
        lock_counter(counter)
        if teller is not None and teller.pk == counter.teller_id:
            return counter
        if teller is not None and not selectors.user_is_teller_of(teller, counter.branch_id):
            raise QueueError(
                "not_a_teller_here",
                _("%(user)s is not a teller of this branch.") % {"user": teller.get_username()},
                status=400,
            )
        before = _state(counter)
        _seat(counter, teller)
        _changed(counter, "counter.teller_assigned", actor=actor, before=before)
    return counter


def counter_set_services(
    *, counter: Counter, services: Iterable[Service], actor: Actor | None
) -> Counter:
    """Choose the queues the counter serves (all of its own branch)."""
    services = list(services)
    if any(service.branch_id != counter.branch_id for service in services):
        raise QueueError(
            "service_of_another_branch",
            _("A counter serves only its own branch's services."),
            status=400,
        )
    with transaction.atomic():
        lock_counter(counter)
        before = _state(counter)
        if sorted(before["services"]) == sorted(service.pk for service in services):
            return counter
        counter.services.set(services)
        _changed(
            counter,
            "counter.services_changed",
            actor=actor,
            before=before,
            services=before["services"],
        )
    return counter


def seat_teller(counter: Counter, actor: Actor | None) -> None:
    """A teller of the branch who opens a counter or calls at it sits there, and leaves any other
    counter they held: one counter per teller at a time (also a database constraint).
    Call while holding the counter's row lock."""
    teller = acting_user(actor)
    if teller is None or counter.teller_id == teller.pk:
        return
    if not selectors.user_is_teller_of(teller, counter.branch_id):
        return  # a lobby manager or head office helping out does not take the counter
    _seat(counter, teller)


def _seat(counter: Counter, teller: User | None) -> None:
    """Seat `teller` (or nobody) at the counter; they leave any other counter they held."""
    if teller is not None:
        Counter.objects.filter(teller=teller).exclude(pk=counter.pk).update(teller=None)
    Counter.objects.filter(pk=counter.pk).update(teller=teller)
    counter.teller = teller


_AUDITED = ["is_open", "teller", "services"]


def _state(counter: Counter) -> dict:
    return audit_fields(counter, _AUDITED)


def _changed(
    counter: Counter,
    action: str,
    *,
    actor: Actor | None,
    before: dict,
    services: Iterable[int] = (),
) -> None:
    """Record the change in the trail and count it as a change of the lobby."""
    after = _state(counter)
    audit_record(
        action,
        subject=counter,
        by=actor,
        branch=counter.branch.code,
        before=before,
        after=after,
    )
    lobby_changed(
        counter.branch_id, counters=[counter.pk], services=[*services, *after["services"]]
    )


class _KeepTeller:
    def __repr__(self) -> str:
        return "KEEP_TELLER"


# For `counter_configure`: leave the teller to the other changes' rules.
KEEP_TELLER = _KeepTeller()


def counter_configure(
    *,
    counter: Counter,
    number: int,
    services: Iterable[Service],
    is_open: bool,
    teller: User | _KeepTeller | None,
    actor: Actor | None,
) -> Counter:
    """Make a counter what head office set in the admin, through the services that own each part:
    its queues, its teller, and opening or closing it, each checked, recorded and broadcast.

    `counter` is the saved counter, or an unsaved one of its branch: it is created closed and
    unstaffed first. `teller=KEEP_TELLER` leaves the teller as the other changes leave it (a
    closed counter has none). Refusals (`counter_busy` when closing a counter with a customer) are
    QueueErrors, and roll the whole change back.
    """
    with transaction.atomic():
        if counter.pk is None:
            counter = Counter.objects.create(branch=counter.branch, number=number)
            audit_record(
                "counter.added",
                subject=counter,
                by=actor,
                branch=counter.branch.code,
                after={"number": number},
            )
            lobby_changed(counter.branch_id, counters=[counter.pk])
        else:
            counter = lock_counter(Counter.objects.select_related("branch").get(pk=counter.pk))
            if counter.number != number:
                before = {"number": counter.number}
                Counter.objects.filter(pk=counter.pk).update(number=number)
                counter.number = number
                audit_record(
                    "counter.renumbered",
                    subject=counter,
                    by=actor,
                    branch=counter.branch.code,
                    before=before,
                    after={"number": number},
                )
                lobby_changed(counter.branch_id, counters=[counter.pk])
        counter_set_services(counter=counter, services=services, actor=actor)
        if counter.is_open and not is_open:
            counter_close(counter=counter, actor=actor)
        if not isinstance(teller, _KeepTeller) and (teller and teller.pk) != counter.teller_id:
            counter_assign_teller(counter=counter, teller=teller, actor=actor)
        if is_open and not counter.is_open:
            counter_open(counter=counter, actor=actor)
    counter.refresh_from_db()
    return counter


def counter_remove(*, counter: Counter, actor: Actor | None) -> None:
    """Take a counter out of the branch, once nobody is called or being served there."""
    with transaction.atomic():
        lock_counter(counter)
        refuse_if_busy(counter)
        before = _state(counter) | {"number": counter.number}
        branch_id, code = counter.branch_id, counter.branch.code
        audit_record("counter.removed", subject=counter, by=actor, branch=code, before=before)
        counter.delete()
        lobby_changed(branch_id, services=before["services"])
