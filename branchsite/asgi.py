"""The one entry point for HTTP and WebSocket: `uvicorn branchsite.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchsite.settings")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from branchsite.accounts.middleware import SecondFactorSocketMiddleware  # noqa: E402
from branchsite.infra.edge import RefuseUnstorableSockets  # noqa: E402
from branchsite.infra.sockets import NoSuchSocket, OriginUnlessPublic  # noqa: E402
from queueing.routing import PUBLIC_SOCKETS, websocket_urlpatterns  # noqa: E402

sockets = AuthMiddlewareStack(
    SecondFactorSocketMiddleware(
        URLRouter([*websocket_urlpatterns, re_path(r"", NoSuchSocket.as_asgi())])
    )
)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Sockets from pages of other sites are refused; staff sockets carry the session cookie.
        # A wall screen's player that sends no Origin at all is let through: its data is public.
        "websocket": RefuseUnstorableSockets(
            OriginUnlessPublic(
                AllowedHostsOriginValidator(sockets), sockets, public_paths=PUBLIC_SOCKETS
            )
        ),
    }
)
