"""Branches as customers find them, and the quicker branches nearby."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..models import Branch
from ..serializers import (
    BranchSerializer,
    PreQueueAdviceSerializer,
)
from .common import (
    ERRORS,
    NEAR_PATTERN,
    parse_near,
)


class BranchListView(APIView):
    @extend_schema(
        summary="Branches with live waits",
        parameters=[
            OpenApiParameter("city", OpenApiTypes.STR, description="City name, Chinese or English"),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Words to find in code, name, city or address"
            ),
            OpenApiParameter(
                "near",
                {"type": "string", "pattern": NEAR_PATTERN, "example": "23.135,113.320"},
                description="`<latitude>,<longitude>` in decimal degrees: nearest first, with "
                "`distance_km`. Empty: not sorted.",
            ),
        ],
        responses={200: BranchSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        near = request.query_params.get("near")
        branches = selectors.branches_with_waits(
            city=request.query_params.get("city"),
            search=request.query_params.get("q"),
            near=parse_near(near) if near else None,
        )
        return Response(BranchSerializer(branches, many=True).data)


class BranchDetailView(APIView):
    @extend_schema(
        summary="One branch with live waits", responses={200: BranchSerializer, 404: ERRORS[404]}
    )
    def get(self, request: Request, code: str) -> Response:
        found = selectors.branches_with_waits(code=code)
        if not found:
            raise exceptions.NotFound(_("No branch %(code)s.") % {"code": code})
        return Response(BranchSerializer(found[0]).data)


class BranchAlternativesView(APIView):
    @extend_schema(
        summary="Before taking a ticket: is the wait long, and where is it shorter?",
        parameters=[OpenApiParameter("service", OpenApiTypes.STR, required=True)],
        responses={200: PreQueueAdviceSerializer, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        branch = get_object_or_404(Branch, code=code, is_active=True)
        advice = selectors.pre_queue_advice(
            branch=branch, prefix=request.query_params.get("service", "")
        )
        if advice is None:
            raise exceptions.NotFound(_("This branch has no such service."))
        return Response(PreQueueAdviceSerializer(advice).data)
