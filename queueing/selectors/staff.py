"""Who may act where: staff memberships read as permissions, and where staff work."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from ..models import (
    Branch,
    Counter,
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


def user_is_lobby_manager_of(user: User | AnonymousUser, branch_id: int) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and StaffMembership.objects.filter(
            user=user, branch_id=branch_id, role=StaffMembership.Role.LOBBY_MANAGER
        ).exists()
    )


def user_is_staff_member(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(user=user).exists()


def user_may_see_reserved_cash(user: User | AnonymousUser) -> bool:
    """Head office orders the cash booked for withdrawal, so only head office sees it."""
    return user_is_head_office(user)


@dataclass(frozen=True)
class Workplace:
    """Where a staff member of a branch works: the branch, and the counter of a teller seated
    at one."""

    branch: Branch
    counter: Counter | None


def staff_workplace(user: User) -> Workplace | None:
    """The workplace of `user`'s first branch membership; None for head office and for an
    account that belongs to no branch."""
    membership = (
        StaffMembership.objects.filter(user=user, branch__isnull=False)
        .select_related("branch")
        .first()
    )
    if membership is None or membership.branch is None:
        return None
    counter = None
    if membership.role == StaffMembership.Role.TELLER:
        counter = Counter.objects.filter(branch=membership.branch, teller=user).first()
    return Workplace(branch=membership.branch, counter=counter)
