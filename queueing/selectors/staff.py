"""Who may act where: staff memberships read as permissions."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from ..models import (
    Branch,
    StaffMembership,
)


def user_may_act_for_branch(user: User | AnonymousUser, branch: Branch) -> bool:
    """Staff act on their own branch only; head office and superusers on all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(
        Q(branch=branch) | Q(role=StaffMembership.Role.HEAD_OFFICE), user=user
    ).exists()


def user_is_head_office(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or StaffMembership.objects.filter(user=user, role=StaffMembership.Role.HEAD_OFFICE).exists()
    )


def user_is_teller_of(user: User | AnonymousUser, branch_id: int) -> bool:
    return (
        user.is_authenticated
        and StaffMembership.objects.filter(
            user=user, branch_id=branch_id, role=StaffMembership.Role.TELLER
        ).exists()
    )


def user_is_staff_member(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(user=user).exists()
