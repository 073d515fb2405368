"""Every write to the queues. API views, pages, consumers and tasks call these and nothing else.

Invariants kept here, with the database constraints as backstop:
- numbers run 1..N per (service, business day) with no gap and no duplicate, under any concurrency:
  the sequence row is incremented in the same transaction as the ticket insert;
- a state change happens once: each is a compare-and-swap on the current status, and a lost race
  is an `InvalidTransition`, never a second change;
- every change writes a `TicketEvent` in its own transaction.

`appointments` states its own invariants; the rate limits are in branchsite/infra/rate_limits.py.
"""

from .appointments import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_OPENS_BEFORE,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_check_in_by_code,
    appointment_reschedule,
    appointments_mark_missed,
    check_in_window,
)
from .counters import (
    KEEP_TELLER,
    counter_assign_teller,
    counter_close,
    counter_configure,
    counter_open,
    counter_remove,
    counter_set_services,
)
from .tickets import (
    HANDLING_AVERAGE_WEIGHT,
    HANDLING_SAMPLE_BOUNDS,
    MAX_RECALLS,
    format_ticket_number,
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_issue,
    ticket_issue_at_kiosk,
    ticket_mark_no_show,
    ticket_rate,
    ticket_recall,
    ticket_start,
    ticket_take_remote,
    ticket_transfer,
    tickets_expire_after_closing,
)

__all__ = [
    "CHECK_IN_CLOSES_AFTER",
    "CHECK_IN_OPENS_BEFORE",
    "HANDLING_AVERAGE_WEIGHT",
    "HANDLING_SAMPLE_BOUNDS",
    "KEEP_TELLER",
    "MAX_RECALLS",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_check_in_by_code",
    "appointment_reschedule",
    "appointments_mark_missed",
    "check_in_window",
    "counter_assign_teller",
    "counter_close",
    "counter_configure",
    "counter_open",
    "counter_remove",
    "counter_set_services",
    "format_ticket_number",
    "ticket_call_next",
    "ticket_cancel",
    "ticket_finish",
    "ticket_issue",
    "ticket_issue_at_kiosk",
    "ticket_mark_no_show",
    "ticket_rate",
    "ticket_recall",
    "ticket_start",
    "ticket_take_remote",
    "ticket_transfer",
    "tickets_expire_after_closing",
]
