"""Answers that are files the view builds itself (a calendar entry, a PNG).

DRF negotiates every answer's type against the client's `Accept`, and only JSON is rendered: a
calendar client asking for `text/calendar` alone would get a 406 for a file the view can give.
`FileAnswerMixin` lets such a request through: the view's own HttpResponse carries the file's
type, and an error is answered in JSON whatever was asked.
"""

from typing import Any

from rest_framework.request import Request


class FileAnswerMixin:
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # force: where nothing matches, the first renderer (JSON, for errors) rather than a 406.
        return super().perform_content_negotiation(request, force=True)  # type: ignore[misc]
