"""Devices that act for one branch, such as a lobby kiosk: what queueing needs of them.

Imports go one way: the kiosks app imports queueing, never the reverse. So the services take any
object that says which branch it acts for and how the audit trail names it, and the API knows a
device by the same two attributes on `request.auth`, whichever authentication put it there
(`kiosks.authentication.KioskKeyAuthentication` for kiosks). `acts_for_branch_id` is explicit on
purpose: a credential is a device of a branch because it says so, not because it happens to have
a `branch_id`.
"""

from typing import Protocol, runtime_checkable


@runtime_checkable
class BranchDevice(Protocol):
    """A device that proved itself and acts for one branch only."""

    @property
    def acts_for_branch_id(self) -> int:
        """The branch whose tickets and appointments the device handles; no other."""
        ...

    @property
    def audit_label(self) -> str:
        """How the audit trail names the device when it acts (`branchsite.infra.audit`)."""
        ...


def device_of(credentials: object) -> BranchDevice | None:
    """The branch device behind a request's credentials (`request.auth`), or None."""
    return credentials if isinstance(credentials, BranchDevice) else None
