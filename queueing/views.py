"""The pages. Each renders its first state from the selector its socket or API sends, so the page
is right before any script runs; one small ES module per page keeps it live."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from branchsite.infra.security import allow_features

from . import lobby, selectors
from .models import Appointment, Branch, Counter, Currency, Service, Ticket
from .serializers import AppointmentSerializer, BranchSerializer, TicketSerializer


def _active_branch(code: str) -> Branch:
    return get_object_or_404(Branch, code=code, is_active=True)


def _require_branch_staff(request: HttpRequest, branch: Branch) -> None:
    if not selectors.user_may_act_for_branch(request.user, branch):
        raise PermissionDenied(f"You are not staff of {branch.code}.")


@allow_features("autoplay")  # the call chime, on a TV nobody touches
def wall_screen(request: HttpRequest, code: str) -> HttpResponse:
    branch = _active_branch(code)
    return render(
        request,
        "queueing/screen.html",
        {"branch": branch, "snapshot": lobby.screen_snapshot(branch)},
    )


@login_required
def lobby_board(request: HttpRequest, code: str) -> HttpResponse:
    branch = _active_branch(code)
    _require_branch_staff(request, branch)
    return render(
        request,
        "queueing/lobby.html",
        {"branch": branch, "snapshot": lobby.lobby_snapshot(branch)},
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
            "snapshot": lobby.lobby_snapshot(branch),
            "services": [
                {"prefix": s.prefix, "name_zh": s.name_zh, "name_en": s.name_en}
                for s in branch.services.filter(is_active=True).order_by("prefix")
            ],
        },
    )


@allow_features("autoplay")  # the chime when the ticket is called
def ticket_tracking(request: HttpRequest, token: str) -> HttpResponse:
    ticket = get_object_or_404(
        Ticket.objects.select_related("branch", "service", "counter", "notification_subscription"),
        token=token,
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
    workplace = selectors.staff_workplace(user)
    if workplace is None:
        if user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("This account belongs to no branch.")
    if workplace.counter is not None:
        return redirect("counter-desk", code=workplace.branch.code, number=workplace.counter.number)
    return redirect("lobby-board", code=workplace.branch.code)


# Customers --------------------------------------------------------------------------------------


@allow_features("geolocation")  # "near me"
def branch_finder(request: HttpRequest) -> HttpResponse:
    """Every active branch with its live waits; the page searches, sorts and refreshes them.
    Without JavaScript, the form's `q` and `city` filter the list here instead."""
    branches = BranchSerializer(selectors.branches_with_waits(), many=True).data
    city, search = request.GET.get("city", ""), request.GET.get("q", "")
    matching = (
        BranchSerializer(selectors.branches_with_waits(city=city, search=search), many=True).data
        if city or search
        else branches
    )
    return render(request, "queueing/finder.html", {"branches": branches, "matching": matching})


def booking_window_days(service: Service, *, now: datetime) -> dict[str, str]:
    window = selectors.booking_window(service=service, now=now)
    return {"first_day": window.first_day.isoformat(), "last_day": window.last_day.isoformat()}


def branch_page(request: HttpRequest, code: str) -> HttpResponse:
    """Take a remote ticket or book an appointment at one branch."""
    found = selectors.branches_with_waits(code=code)
    if not found:
        raise Http404(f"No branch {code}.")
    branch = found[0].branch
    now = timezone.now()
    return render(
        request,
        "queueing/branch.html",
        {
            "branch": branch,
            "data": {
                "branch": BranchSerializer(found[0]).data,
                "today": branch.business_day(now).isoformat(),
                # The days each bookable service offers, from the one booking window.
                "booking_windows": {
                    wait.service.prefix: booking_window_days(wait.service, now=now)
                    for wait in found[0].services
                    if wait.service.takes_appointments
                },
                "currencies": [
                    {"code": code, "name": str(name)} for code, name in Currency.choices
                ],
            },
        },
    )


def appointment_page(request: HttpRequest, token: str) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("branch", "service__branch", "ticket"), token=token
    )
    now = timezone.now()
    return render(
        request,
        "queueing/appointment.html",
        {
            "branch": appointment.branch,
            "appointment": appointment,
            "data": {
                "appointment": AppointmentSerializer(appointment).data,
                "today": appointment.branch.business_day(now).isoformat(),
                "booking_window": booking_window_days(appointment.service, now=now),
            },
        },
    )
