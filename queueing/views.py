"""The live lobby's pages. Each renders its first state from the selector its socket sends, so the
page is right before the socket connects; one small ES module per page keeps it live."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import selectors, services
from .models import Branch, Counter, StaffMembership, Ticket
from .serializers import TicketSerializer


def _active_branch(code: str) -> Branch:
    return get_object_or_404(Branch, code=code, is_active=True)


def _require_branch_staff(request: HttpRequest, branch: Branch) -> None:
    if not selectors.user_may_act_for_branch(request.user, branch):
        raise PermissionDenied(f"You are not staff of {branch.code}.")


def wall_screen(request: HttpRequest, code: str) -> HttpResponse:
    branch = _active_branch(code)
    return render(
        request,
        "queueing/screen.html",
        {"branch": branch, "snapshot": selectors.screen_snapshot(branch)},
    )


@login_required
def lobby_board(request: HttpRequest, code: str) -> HttpResponse:
    branch = _active_branch(code)
    _require_branch_staff(request, branch)
    return render(
        request,
        "queueing/lobby.html",
        {"branch": branch, "snapshot": selectors.lobby_snapshot(branch)},
    )


@login_required
def counter_desk(request: HttpRequest, code: str, number: int) -> HttpResponse:
    branch = _active_branch(code)
    _require_branch_staff(request, branch)
    counter = get_object_or_404(Counter, branch=branch, number=number)
    return render(
        request,
        "queueing/counter.html",
        {
            "branch": branch,
            "counter": counter,
            "max_recalls": services.MAX_RECALLS,
            "snapshot": selectors.lobby_snapshot(branch),
            "services": [
                {"prefix": s.prefix, "name_zh": s.name_zh, "name_en": s.name_en}
                for s in branch.services.filter(is_active=True).order_by("prefix")
            ],
        },
    )


def ticket_tracking(request: HttpRequest, token: str) -> HttpResponse:
    ticket = get_object_or_404(
        Ticket.objects.select_related("branch", "service", "counter"), token=token
    )
    return render(
        request,
        "queueing/ticket.html",
        {
            "branch": ticket.branch,
            "ticket": ticket,
            "snapshot": {
                "type": "snapshot",
                "version": ticket.branch.lobby_version,
                "ticket": TicketSerializer(ticket).data,
            },
        },
    )


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after logging in: a teller at their counter, a lobby manager at the
    board of their branch, head office in the admin."""
    user = request.user
    assert isinstance(user, User)  # login_required
    membership = (
        StaffMembership.objects.filter(user=user, branch__isnull=False)
        .select_related("branch")
        .first()
    )
    if membership is None or membership.branch is None:
        if user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("This account belongs to no branch.")
    branch = membership.branch
    if membership.role == StaffMembership.Role.TELLER:
        counter = Counter.objects.filter(branch=branch, teller=user).first()
        if counter is not None:
            return redirect("counter-desk", code=branch.code, number=counter.number)
    return redirect("lobby-board", code=branch.code)
