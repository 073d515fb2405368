from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/screens/<str:code>/", consumers.ScreenConsumer.as_asgi()),
    path("ws/lobby/<str:code>/", consumers.LobbyConsumer.as_asgi()),
    path("ws/tickets/<str:token>/", consumers.TicketConsumer.as_asgi()),
]
