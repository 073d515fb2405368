"""Reads that several interfaces share, one module per sub-domain; the live lobby's snapshots are
in `queueing.lobby`.

- `branches`: open or not, the issuing lookup, each queue's live wait, distances;
- `tickets`: the calling order, a ticket's position and estimated wait;
- `staff`: who may act where;
- `appointments`: bookable slots, the booking window, reserved cash;
- `advice`: whether the wait is over the threshold and which branch nearby is quicker.
"""

from .advice import MAX_ALTERNATIVES, PreQueueAdvice, ShorterWait, pre_queue_advice
from .appointments import (
    HEAD_OFFICE_ZONE,
    ReservedCash,
    SlotAvailability,
    first_booking_day,
    last_booking_day,
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
from .staff import (
    user_is_head_office,
    user_is_staff_member,
    user_is_teller_of,
    user_may_act_for_branch,
)
from .tickets import (
    TicketProgress,
    estimated_wait_minutes,
    in_calling_order,
    open_counters_serving,
    queue_progress,
    ticket_position,
    ticket_progress,
)

__all__ = [
    "HEAD_OFFICE_ZONE",
    "MAX_ALTERNATIVES",
    "BranchWithWaits",
    "PreQueueAdvice",
    "ReservedCash",
    "ServiceWait",
    "ShorterWait",
    "SlotAvailability",
    "TicketProgress",
    "branch_is_open",
    "branches_with_waits",
    "distance_km",
    "estimated_wait_minutes",
    "first_booking_day",
    "in_calling_order",
    "last_booking_day",
    "open_counters_serving",
    "pre_queue_advice",
    "queue_progress",
    "reserved_cash",
    "service_for_issuing",
    "slot_starts",
    "slots_for_day",
    "ticket_position",
    "ticket_progress",
    "tomorrow_at_head_office",
    "user_is_head_office",
    "user_is_staff_member",
    "user_is_teller_of",
    "user_may_act_for_branch",
]
