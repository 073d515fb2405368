"""What the admin pages of queueing share: who may staff a counter, labels, the audit mixin,
and the names of the codes queueing records in the audit trail and its safeguards."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from branchsite.infra.admin import AuditedAdminMixin
from branchsite.infra.codes import name_codes

from ..models import (
    Branch,
    Service,
    StaffMembership,
)

User = get_user_model()


def branch_staff(branch: Branch | None) -> QuerySet:
    """The tellers of `branch`: the only ones who may staff its counters."""
    if branch is None or branch.pk is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__branch=branch, memberships__role=StaffMembership.Role.TELLER
        )
        .distinct()
        .order_by("username")
    )


def service_label(service: Service) -> str:
    return f"{service.branch.code} · {service.prefix} {service.name_zh} / {service.name_en}"


class AuditedAdmin(AuditedAdminMixin):
    """Staff and configuration have no service of their own: what head office changes on these
    pages is recorded in the audit trail here, filed under the branch it belongs to."""

    def audit_branch(self, obj) -> str:
        if isinstance(obj, Branch):
            return obj.code
        branch = getattr(obj, "branch", None)
        return branch.code if isinstance(branch, Branch) else ""


name_codes(
    {
        # The audit trail's actions (`audit_record` in the services)
        "ticket.issued": _("ticket issued"),
        "ticket.called": _("ticket called"),
        "ticket.recalled": _("ticket called again"),
        "ticket.started": _("ticket served"),
        "ticket.finished": _("ticket finished"),
        "ticket.no_show": _("ticket marked no-show"),
        "ticket.cancelled": _("ticket cancelled"),
        "ticket.transferred": _("ticket transferred"),
        "ticket.expired": _("ticket expired"),
        "ticket.rated": _("ticket rated"),
        "appointment.booked": _("appointment booked"),
        "appointment.cancelled": _("appointment cancelled"),
        "appointment.rescheduled": _("appointment rescheduled"),
        "appointment.checked_in": _("appointment checked in"),
        "appointment.missed": _("appointment missed"),
        "counter.added": _("counter added"),
        "counter.removed": _("counter removed"),
        "counter.renumbered": _("counter renumbered"),
        "counter.opened": _("counter opened"),
        "counter.closed": _("counter closed"),
        "counter.teller_assigned": _("teller seated at a counter"),
        "counter.services_changed": _("counter's services changed"),
        "user.password_changed": _("password set"),
        # Idempotency keys' scopes (`respond_idempotently` in the API)
        "tickets.create": _("taking a ticket"),
        "tickets.rating": _("rating a ticket"),
        "appointments.create": _("booking an appointment"),
        "appointments.check-in": _("checking in an appointment"),
        # Rate limits' scopes (`limits_take` in the services), per phone and per client address
        "remote_ticket.phone": _("tickets taken remotely, per phone"),
        "remote_ticket.address": _("tickets taken remotely, per address"),
        "booking.phone": _("appointments booked, per phone"),
        "booking.address": _("appointments booked, per address"),
        "notification_opt_in.phone": _("text messages asked for, per phone"),
        "notification_opt_in.address": _("text messages asked for, per address"),
    }
)
