"""The staff API's sign-in: a token for API clients."""

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from queueing.serializers import (
    ErrorSerializer,
)

from . import services as sign_in
from .errors import WrongCredentials
from .serializers import TokenRequestSerializer


class AuthTokenView(APIView):
    authentication_classes: list = []

    @extend_schema(
        summary="A token for staff API clients",
        description=(
            "Send it as `Authorization: Token <token>`. Head office, and staff who have enrolled "
            "an authenticator app, also send its current code as `otp_token`. Wrong passwords "
            "and codes count towards a lockout per account and per network address, shared "
            "with the staff login page."
        ),
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Wrong user name or password (`invalid`); the account's code "
                "missing (`second_factor_required`) or wrong (`second_factor_invalid`)",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not a staff member (`not_staff`), or head office without an "
                "authenticator app yet (`second_factor_not_enrolled`)",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failures for the account or from the network "
                "(`sign_in_locked`), too many sign-ins at once (`sign_in_busy`), or a code "
                "right after a wrong one (`second_factor_throttled`); `Retry-After` says when "
                "to retry",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            token = sign_in.api_token_sign_in(
                request=request,
                username=payload.validated_data["username"],
                password=payload.validated_data["password"],
                otp_token=payload.validated_data.get("otp_token"),
            )
        except WrongCredentials as wrong:
            # The answer API clients have always had for a wrong password.
            raise serializers.ValidationError(
                {"non_field_errors": [wrong.detail]}, code="authorization"
            ) from None
        return Response({"token": token.key})
