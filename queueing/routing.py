from django.urls import path

from . import consumers

# Sockets whose data is public, open to clients that send no Origin (branchsite/asgi.py).
PUBLIC_SOCKETS = ("/ws/screens/",)

websocket_urlpatterns = [
    path("ws/screens/<str:code>/", consumers.ScreenConsumer.as_asgi()),
    path("ws/lobby/<str:code>/", consumers.LobbyConsumer.as_asgi()),
    path("ws/tickets/<str:token>/", consumers.TicketConsumer.as_asgi()),
]
