"""Counters and the lobby, for staff: calling the next ticket, opening and closing."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.infra.audit import Origin

from .. import lobby, services
from ..models import Branch, Counter
from ..serializers import (
    CounterSerializer,
    StaffTicketSerializer,
)
from .common import (
    STAFF_ERRORS,
    require_branch_staff,
)


class CallNextView(APIView):
    @extend_schema(
        summary="Call the next ticket to a counter",
        request=None,
        responses={
            200: StaffTicketSerializer,
            204: OpenApiResponse(description="Nobody is waiting for this counter's services"),
            **STAFF_ERRORS,
        },
    )
    def post(self, request: Request, code: str, number: int) -> Response:
        counter = get_object_or_404(
            Counter.objects.select_related("branch"), branch__code=code, number=number
        )
        require_branch_staff(request, counter.branch)
        ticket = services.ticket_call_next(counter=counter, actor=Origin.of_request(request))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(StaffTicketSerializer(ticket).data)


class CounterStateView(APIView):
    """open, close: one view, the action named in the URL."""

    actions = {"open": services.counter_open, "close": services.counter_close}
    action: str = ""

    @extend_schema(
        summary="Open or close a counter",
        description=(
            "A teller who opens a counter takes it. A counter with a called or served ticket "
            "does not close (409 `counter_busy`)."
        ),
        request=None,
        responses={200: CounterSerializer, **STAFF_ERRORS},
    )
    def post(self, request: Request, code: str, number: int) -> Response:
        counter = get_object_or_404(
            Counter.objects.select_related("branch"), branch__code=code, number=number
        )
        require_branch_staff(request, counter.branch)
        counter = self.actions[self.action](counter=counter, actor=Origin.of_request(request))
        return Response(CounterSerializer(counter).data)


class LobbyView(APIView):
    @extend_schema(
        summary="The live lobby of a branch, as the lobby board shows it",
        description=(
            "The same snapshot `/ws/lobby/<code>/` sends on connect: queues, counters, active "
            "tickets and recent calls, with the branch's lobby `version`."
        ),
        responses={200: OpenApiTypes.OBJECT, **STAFF_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        branch = get_object_or_404(Branch, code=code, is_active=True)
        require_branch_staff(request, branch)
        return Response(lobby.lobby_snapshot(branch))
