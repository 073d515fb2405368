"""Taking a ticket: numbers, days, opening hours."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from queueing import services
from queueing.errors import QueueError
from queueing.models import Ticket, TicketEvent, TicketSequence
from tests import factories

pytestmark = pytest.mark.django_db


def test_numbers_count_up_from_001_per_service(cash, non_cash):
    a = factories.issue(cash, 3)
    b = factories.issue(non_cash, 2)
    assert [t.number for t in a] == ["A001", "A002", "A003"]
    assert [t.number for t in b] == ["B001", "B002"]


def test_a_new_ticket_waits_and_its_issue_is_logged(cash):
    (ticket,) = factories.issue(cash)
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.channel == Ticket.Channel.REMOTE
    event = ticket.events.get()
    assert (event.action, event.to_status) == (TicketEvent.Action.ISSUED, "waiting")


def test_numbering_restarts_on_the_branchs_next_local_day(cash):
    # 15:30 UTC is 23:30 in Shanghai; 16:30 UTC is already the next local day.
    with time_machine.travel(datetime(2026, 3, 2, 15, 30, tzinfo=UTC), tick=False):
        late = factories.issue(cash, 2)
    with time_machine.travel(datetime(2026, 3, 2, 16, 30, tzinfo=UTC), tick=False):
        (early,) = factories.issue(cash)
    assert [t.number for t in late] == ["A001", "A002"]
    assert str(late[0].business_day) == "2026-03-02"
    assert early.number == "A001"
    assert str(early.business_day) == "2026-03-03"


def test_numbers_past_999_keep_counting(cash):
    factories.issue(cash)
    TicketSequence.objects.filter(service=cash).update(last_issued=998)
    numbers = [ticket.number for ticket in factories.issue(cash, 2)]
    assert numbers == ["A999", "A1000"]
    assert services.format_ticket_number("V", 7) == "V007"


def test_a_new_ticket_reads_back_as_it_was_returned(cash, teller):
    ticket = services.ticket_issue(service=cash, channel=Ticket.Channel.KIOSK, actor=teller)
    stored = Ticket.objects.get(pk=ticket.pk)
    fields = ["token", "number", "status", "channel", "branch_id", "service_id", "issued_at"]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(ticket, f) for f in fields}
    assert (stored.recall_count, stored.rating, stored.rating_comment) == (0, None, "")
    assert stored.events.get().actor == teller


def test_a_rolled_back_issue_leaves_no_gap(cash):
    from django.db import transaction

    factories.issue(cash)
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.issue(cash)
        raise RuntimeError("printer jammed")
    (next_ticket,) = factories.issue(cash)
    assert next_ticket.number == "A002"


def test_tokens_are_long_random_and_distinct(cash):
    tickets = factories.issue(cash, 20)
    tokens = {t.token for t in tickets}
    assert len(tokens) == 20
    assert all(len(t) >= 20 for t in tokens)


def test_a_closed_branch_issues_no_ticket(db):
    branch = factories.make_branch("FS-CC01", hours=(time(9), time(17)))
    service = factories.make_service(branch, "A")
    with (
        time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False),  # 20:00 local
        pytest.raises(QueueError) as refused,
    ):
        factories.issue(service)
    assert refused.value.code == "branch_closed"
    assert not Ticket.objects.exists()


def test_an_open_branch_issues_within_its_local_hours(db):
    branch = factories.make_branch("FS-CC01", hours=(time(9), time(17)))
    service = factories.make_service(branch, "A")
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):  # 09:00 local
        (ticket,) = factories.issue(service)
    assert ticket.number == "A001"


def test_an_inactive_service_issues_no_ticket(cash):
    cash.is_active = False
    cash.save()
    with pytest.raises(QueueError) as refused:
        factories.issue(cash)
    assert refused.value.code == "service_unavailable"
