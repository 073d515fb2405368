"""The one family of domain errors. Services raise them; `api_errors` maps them to JSON."""

from typing import Any


class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `detail` is for people."""

    status: int = 409

    def __init__(self, code: str, detail: str, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        if status is not None:
            self.status = status
        self.extra = extra


class NotFound(DomainError):
    status = 404


class InvalidInput(DomainError):
    status = 400


class NamesNothing(DomainError):
    """Well formed, but the body names nothing that exists (a branch, a service): 422.

    Not a 404, which would say that the URL itself names nothing.
    """

    status = 422
