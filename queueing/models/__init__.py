"""Branches, their services and counters, the tickets that queue for them, staff, appointments,
and the text messages customers asked for: one module per sub-domain, all importable from here.

The rules that must never break are database constraints; `services` takes the locks that keep
them from being hit in the first place.
"""

from .appointments import (
    CHECK_IN_CODE_ALPHABET,
    CHECK_IN_CODE_LENGTH,
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Currency,
    clean_check_in_code,
    new_check_in_code,
)
from .branches import (
    AnnouncementLanguages,
    Bilingual,
    Branch,
    OpeningHours,
    Service,
    validate_time_zone,
)
from .counters import Counter
from .notifications import (
    NOTIFICATION_LANGUAGES,
    Notification,
    NotificationEvent,
    NotificationStatus,
    NotificationSubscription,
)
from .staff import StaffMembership
from .tickets import (
    MAX_RECALLS,
    STAFF_ACTIONS_FROM,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketSequence,
    TicketStatus,
    new_token,
)

__all__ = [
    "CHECK_IN_CODE_ALPHABET",
    "CHECK_IN_CODE_LENGTH",
    "MAX_RECALLS",
    "NOTIFICATION_LANGUAGES",
    "STAFF_ACTIONS_FROM",
    "AnnouncementLanguages",
    "Appointment",
    "AppointmentSlot",
    "AppointmentStatus",
    "Bilingual",
    "Branch",
    "Counter",
    "Currency",
    "Notification",
    "NotificationEvent",
    "NotificationStatus",
    "NotificationSubscription",
    "OpeningHours",
    "Service",
    "StaffMembership",
    "Ticket",
    "TicketChannel",
    "TicketEvent",
    "TicketSequence",
    "TicketStatus",
    "clean_check_in_code",
    "new_check_in_code",
    "new_token",
    "validate_time_zone",
]
