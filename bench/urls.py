"""The product's URLs plus `POST /bench/bare/`: the cheapest write DRF can do, as a yardstick.

The bare view goes through the same server, middleware, DRF authentication, JSON parsing and
rendering as `POST /api/tickets/`, then does exactly one INSERT into `bench_bare` (a plain table
the bench creates). What ticket issuing costs beyond it is the queue's own work.
"""

import json

from django.db import connection
from django.urls import path
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.urls import handler404, handler500
from branchsite.urls import urlpatterns as product_urlpatterns

BARE_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_bare "
    "(id bigserial PRIMARY KEY, payload text, created_at timestamptz DEFAULT now())"
)


class BareInsertView(APIView):
    def post(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_bare (payload) VALUES (%s) RETURNING id",
                [json.dumps(request.data)],
            )
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=status.HTTP_201_CREATED)


urlpatterns = [
    *product_urlpatterns,
    path("bench/bare/", BareInsertView.as_view(), name="bench-bare"),
]

__all__ = ["handler404", "handler500", "urlpatterns"]
