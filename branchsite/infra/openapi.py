"""The API schema's shared parts: the error body, and the answers any operation can give.

Some refusals come before a view decides anything: DRF's own (a body it cannot parse or whose
media type it does not read, an `Accept` it cannot answer, a wrong token or kiosk key, a session
without its CSRF token) and the edge's (`branchsite.infra.edge`: a character no field may hold). The
schema lists them on every operation where they can happen, so that it describes every answer.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable")
    detail = serializers.CharField(help_text="For people")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


BAD_INPUT = _error(
    "Bad input: a field (`invalid`, with `errors` per field), a body that is not JSON "
    "(`parse_error`), a character no field may hold (`invalid_characters`), JSON nested too "
    "deeply (`too_deeply_nested`), too large a body (`request_too_large`), too many fields "
    "(`too_many_fields`), a host name the server does not answer to (`disallowed_host`)"
)
HEADERS_TOO_LARGE = _error("The request's headers add up to over 16 KiB (`headers_too_large`)")
NOT_ACCEPTABLE = _error("`Accept` names no type this operation answers with (`not_acceptable`)")
WRONG_CREDENTIALS = _error(
    "The `Authorization` header names no valid token or kiosk key (`authentication_failed`)"
)
NO_CSRF_TOKEN = _error("Signed in with a session cookie but without the CSRF token")
UNSUPPORTED_MEDIA_TYPE = _error(
    "A body in a media type this operation does not read (`unsupported_media_type`)"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with the answers above added where an operation does not name them."""

    def _get_response_bodies(self, direction="response"):
        # `@extend_schema(responses=...)` replaces `get_response_serializers`, so the answers are
        # added to what it built.
        responses = super()._get_response_bodies(direction)
        common = {"400": BAD_INPUT, "406": NOT_ACCEPTABLE, "431": HEADERS_TOO_LARGE}
        authenticators = self.view.get_authenticators()
        if authenticators:
            common["401"] = WRONG_CREDENTIALS
        if self.method in UNSAFE_METHODS:
            if self._reads_a_body():
                common["415"] = UNSUPPORTED_MEDIA_TYPE
            if any(isinstance(each, SessionAuthentication) for each in authenticators):
                common["403"] = NO_CSRF_TOKEN
        for status, answer in common.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(answer, status, None, direction)
        return dict(sorted(responses.items()))

    def _reads_a_body(self) -> bool:
        """A request body, or an `Idempotency-Key`, whose answer is kept with the body it got."""
        from .idempotency import HEADER

        return self.get_request_serializer() is not None or any(
            getattr(parameter, "name", None) == HEADER
            for parameter in self.get_override_parameters()
        )
