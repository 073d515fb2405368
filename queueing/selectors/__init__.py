"""Reads that several interfaces share, one module per sub-domain; the live lobby's snapshots are
in `queueing.lobby`.

- `branches`: open or not, the issuing lookup, each queue's live wait, distances;
- `calling`: the calling order (`CALLING_ORDER`, written once): who a counter calls next;
- `forecast`: the calling replayed for the staffed counters: each ticket's position and estimated
  wait, and each queue's wait for a newcomer;
- `staff`: who may act where, and where staff work;
- `appointments`: bookable slots, the booking window (`booking_window`), reserved cash;
- `advice`: whether the wait is over the threshold and which branch nearby is quicker, before
  taking a ticket or while holding one.
"""

from .advice import (
    MAX_ALTERNATIVES,
    PreQueueAdvice,
    ShorterWait,
    pre_queue_advice,
    ticket_advice,
)
from .appointments import (
    HEAD_OFFICE_ZONE,
    BookingWindow,
    ReservedCash,
    SlotAvailability,
    bookable_slots,
    booking_window,
    check_appointments_offered,
    reserved_cash,
    slot_starts,
    slots_for_day,
    tomorrow_at_head_office,
)
from .branches import (
    BranchWithWaits,
    ServiceWait,
    branch_is_open,
    branches_with_waits,
    distance_km,
    service_for_issuing,
)
from .calling import CALLING_ORDER, CallingTier, calling_key, in_calling_order
from .forecast import (
    LobbyForecast,
    QueueForecast,
    TicketProgress,
    lobby_forecast,
    lobby_forecasts,
    queue_progress,
    ticket_position,
    ticket_progress,
)
from .staff import (
    Workplace,
    staff_workplace,
    user_is_head_office,
    user_is_lobby_manager_of,
    user_is_staff_member,
    user_is_teller_of,
    user_may_act_for_branch,
    user_may_see_reserved_cash,
)

__all__ = [
    "CALLING_ORDER",
    "HEAD_OFFICE_ZONE",
    "MAX_ALTERNATIVES",
    "BookingWindow",
    "BranchWithWaits",
    "CallingTier",
    "LobbyForecast",
    "PreQueueAdvice",
    "QueueForecast",
    "ReservedCash",
    "ServiceWait",
    "ShorterWait",
    "SlotAvailability",
    "TicketProgress",
    "Workplace",
    "bookable_slots",
    "booking_window",
    "branch_is_open",
    "branches_with_waits",
    "calling_key",
    "check_appointments_offered",
    "distance_km",
    "in_calling_order",
    "lobby_forecast",
    "lobby_forecasts",
    "pre_queue_advice",
    "queue_progress",
    "reserved_cash",
    "service_for_issuing",
    "slot_starts",
    "slots_for_day",
    "staff_workplace",
    "ticket_advice",
    "ticket_position",
    "ticket_progress",
    "tomorrow_at_head_office",
    "user_is_head_office",
    "user_is_lobby_manager_of",
    "user_is_staff_member",
    "user_is_teller_of",
    "user_may_act_for_branch",
    "user_may_see_reserved_cash",
]
