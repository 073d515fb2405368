"""Django admin for head office: branches and their set-up, staff, and a read-only view of tickets
and appointments, one module per sub-domain (importing them registers their pages).

Configuration without rules of its own (branches, opening hours, services, staff) is edited here
directly and recorded in the audit trail by `AuditedAdmin`. Counters, tickets and appointments
change only through `queueing.services`, so their checks, the lobby's version and the broadcast,
and the audit trail apply as on the staff pages.
"""

from . import appointments, branches, counters, staff, tickets

__all__ = ["appointments", "branches", "counters", "staff", "tickets"]
