from branchsite.errors import DomainError


class QueueError(DomainError):
    """A queue rule refused the request (409 unless a status is given)."""


class InvalidTransition(QueueError):
    """The ticket's state forbids the action, or another request changed it first."""

    def __init__(self, *, number: str, status: str, action: str) -> None:
        super().__init__(
            "invalid_transition",
            f"Ticket {number} is {status}; it cannot be {action}.",
            status_now=status,
        )
