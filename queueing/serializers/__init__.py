"""Shapes of the queue API, one module per sub-domain. Validation of input shape only; the rules
live in services and selectors."""

from branchsite.infra.openapi import ErrorSerializer

from .appointments import (
    AppointmentBranchSerializer,
    AppointmentCreateSerializer,
    AppointmentSerializer,
    AppointmentServiceSerializer,
    CheckInByCodeSerializer,
    PresenceSerializer,
    RescheduleSerializer,
    ReservedCashSerializer,
    SlotQuerySerializer,
    SlotSerializer,
)
from .branches import (
    BranchSerializer,
    OpeningHoursSerializer,
    PreQueueAdviceSerializer,
    ServiceSerializer,
    ServiceWaitSerializer,
    ShorterWaitSerializer,
)
from .counters import CounterSerializer
from .fields import (
    CASH_AMOUNT_PATTERN,
    BranchServiceField,
    CashAmountField,
    HourMinuteField,
    OptionalPhoneField,
    PhoneField,
    PrefixField,
)
from .notifications import (
    InboundReplyAnswerSerializer,
    InboundReplySerializer,
    NotificationOptInSerializer,
)
from .tickets import (
    RatingSerializer,
    StaffTicketSerializer,
    TicketCreateSerializer,
    TicketEventSerializer,
    TicketSerializer,
    TransferSerializer,
    just_issued,
)

__all__ = [
    "CASH_AMOUNT_PATTERN",
    "AppointmentBranchSerializer",
    "AppointmentCreateSerializer",
    "AppointmentSerializer",
    "AppointmentServiceSerializer",
    "BranchSerializer",
    "BranchServiceField",
    "CashAmountField",
    "CheckInByCodeSerializer",
    "CounterSerializer",
    "ErrorSerializer",
    "HourMinuteField",
    "InboundReplyAnswerSerializer",
    "InboundReplySerializer",
    "NotificationOptInSerializer",
    "OpeningHoursSerializer",
    "OptionalPhoneField",
    "PhoneField",
    "PreQueueAdviceSerializer",
    "PrefixField",
    "PresenceSerializer",
    "RatingSerializer",
    "RescheduleSerializer",
    "ReservedCashSerializer",
    "ServiceSerializer",
    "ServiceWaitSerializer",
    "ShorterWaitSerializer",
    "SlotQuerySerializer",
    "SlotSerializer",
    "StaffTicketSerializer",
    "TicketCreateSerializer",
    "TicketEventSerializer",
    "TicketSerializer",
    "TransferSerializer",
    "just_issued",
]
