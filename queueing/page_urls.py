"""The pages: customers', staff's and the wall screens'."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.branch_finder, name="branch-finder"),
    path("branches/<str:code>/", views.branch_page, name="branch-page"),
    path("a/<str:token>/", views.appointment_page, name="appointment-page"),
    path("staff/", views.staff_home, name="staff-home"),
    path("screens/<str:code>/", views.wall_screen, name="wall-screen"),
    path("lobby/<str:code>/", views.lobby_board, name="lobby-board"),
    path("counter/<str:code>/<int:number>/", views.counter_desk, name="counter-desk"),
    path("t/<str:token>/", views.ticket_tracking, name="ticket-tracking"),
]
