"""What the admin pages of queueing share: who may staff a counter, labels, the audit mixin."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from branchsite.infra.admin import AuditedAdminMixin

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
