from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchsite.infra.errors import DomainError

from .models import TicketStatus

# One whole sentence per action, so that each language can word it its own way. Keyed by the
# `verb` that services pass (the English past participle).
_CANNOT_BE = {
    "called": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be called."),
    "recalled": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be recalled."),
    "started": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be started."),
    "finished": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be finished."),
    "marked no-show": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be marked no-show."),
    "cancelled": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be cancelled."),
    "transferred": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be transferred."),
    "expired": gettext_lazy("Ticket %(number)s is %(status)s; it cannot be expired."),
}


def status_label(status: str) -> str:
    """The ticket status as people read it in the active language ("gone": no such ticket)."""
    if status in TicketStatus.values:
        return str(TicketStatus(status).label)
    if status == "gone":
        return _("gone")
    return status


class QueueError(DomainError):
    """A queue rule refused the request (409 unless a status is given)."""


class InvalidTransition(QueueError):
    """The ticket's state forbids the action, or another request changed it first."""

    def __init__(self, *, number: str, status: str, action: str) -> None:
        template = _CANNOT_BE.get(action) or _(
            "Ticket %(number)s is %(status)s; it cannot be %(action)s."
        )
        detail = str(template) % {
            "number": number,
            "status": status_label(status),
            "action": action,
        }
        super().__init__("invalid_transition", detail, status_now=status)


class DeviceOfAnotherBranch(QueueError):
    """A kiosk (any `queueing.devices.BranchDevice`) asked to act for a branch not its own."""

    status = 403

    def __init__(self, detail: str) -> None:
        super().__init__("kiosk_wrong_branch", detail)
