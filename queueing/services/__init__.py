"""Every write to the queues. API views, pages, consumers, tasks and the admin call these and
nothing else. One module per sub-domain, each stating its invariants (kept with the database
constraints as backstop):

- `issuing`: the next number of a queue, with no gap and no duplicate;
- `tickets`: the state machine, transfers, rating, expiry;
- `counters`: opening, closing, seating a teller, choosing queues, under the counter's row lock;
- `appointments`: booking, rescheduling, cancelling, checking in, marking the missed;
- `devices`: a device (a kiosk) acts for its own branch only;
- `notifications`: text messages customers opted in to, each event told once, sent by tasks.

Every change of the lobby goes through `queueing.lobby.lobby_changed`; every staff and device
action is recorded with `branchsite.infra.audit.audit_record`. The rate limits are in
`branchsite/infra/rate_limits.py`.
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
from .issuing import (
    format_ticket_number,
    ticket_issue,
    ticket_issue_at_kiosk,
    ticket_issue_in_lobby,
    ticket_take_remote,
)
from .notifications import (
    appointment_reminders_due,
    appointment_reminders_subscribe,
    notification_language,
    notification_reply_received,
    notification_send,
    notifications_after_ticket_change,
    ticket_notifications_stop,
    ticket_notifications_subscribe,
)
from .tickets import (
    HANDLING_AVERAGE_WEIGHT,
    HANDLING_SAMPLE_BOUNDS,
    MAX_RECALLS,
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_mark_no_show,
    ticket_rate,
    ticket_recall,
    ticket_start,
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
    "appointment_reminders_due",
    "appointment_reminders_subscribe",
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
    "notification_language",
    "notification_reply_received",
    "notification_send",
    "notifications_after_ticket_change",
    "ticket_call_next",
    "ticket_cancel",
    "ticket_finish",
    "ticket_issue",
    "ticket_issue_at_kiosk",
    "ticket_issue_in_lobby",
    "ticket_mark_no_show",
    "ticket_notifications_stop",
    "ticket_notifications_subscribe",
    "ticket_rate",
    "ticket_recall",
    "ticket_start",
    "ticket_take_remote",
    "ticket_transfer",
    "tickets_expire_after_closing",
]
