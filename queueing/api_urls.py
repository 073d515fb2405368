"""The queue API's routes, under /api/."""

from django.urls import path

from .api import appointments, branches, counters, notifications, tickets

urlpatterns = [
    path("branches/", branches.BranchListView.as_view(), name="api-branches"),
    path("branches/<str:code>/", branches.BranchDetailView.as_view(), name="api-branch"),
    path(
        "branches/<str:code>/counters/<int:number>/call-next/",
        counters.CallNextView.as_view(),
        name="api-call-next",
    ),
    *(
        path(
            f"branches/<str:code>/counters/<int:number>/{action}/",
            counters.CounterStateView.as_view(action=action),
            name=f"api-counter-{action}",
        )
        for action in counters.CounterStateView.actions
    ),
    path("branches/<str:code>/lobby/", counters.LobbyView.as_view(), name="api-lobby"),
    path("branches/<str:code>/slots/", appointments.SlotListView.as_view(), name="api-slots"),
    path(
        "branches/<str:code>/alternatives/",
        branches.BranchAlternativesView.as_view(),
        name="api-branch-alternatives",
    ),
    path(
        "branches/<str:code>/check-in/",
        appointments.BranchCheckInView.as_view(),
        name="api-check-in",
    ),
    path("appointments/", appointments.AppointmentCreateView.as_view(), name="api-appointments"),
    path(
        "appointments/<str:token>/",
        appointments.AppointmentDetailView.as_view(),
        name="api-appointment",
    ),
    path(
        "appointments/<str:token>/cancel/",
        appointments.AppointmentCancelView.as_view(),
        name="api-appointment-cancel",
    ),
    path(
        "appointments/<str:token>/reschedule/",
        appointments.AppointmentRescheduleView.as_view(),
        name="api-appointment-reschedule",
    ),
    path(
        "appointments/<str:token>/check-in/",
        appointments.AppointmentCheckInView.as_view(),
        name="api-appointment-check-in",
    ),
    path(
        "appointments/<str:token>/calendar.ics",
        appointments.AppointmentCalendarView.as_view(),
        name="api-appointment-calendar",
    ),
    path(
        "appointments/<str:token>/qr.png",
        appointments.AppointmentQrView.as_view(),
        name="api-appointment-qr",
    ),
    path("reserved-cash/", appointments.ReservedCashView.as_view(), name="api-reserved-cash"),
    path("tickets/", tickets.TicketCreateView.as_view(), name="api-tickets"),
    path(
        "tickets/<str:token>/history/", tickets.StaffTicketView.as_view(), name="api-ticket-history"
    ),
    path("tickets/<str:token>/", tickets.TicketDetailView.as_view(), name="api-ticket"),
    path(
        "tickets/<str:token>/alternatives/",
        tickets.TicketAlternativesView.as_view(),
        name="api-ticket-alternatives",
    ),
    path(
        "tickets/<str:token>/cancel/", tickets.TicketCancelView.as_view(), name="api-ticket-cancel"
    ),
    path(
        "tickets/<str:token>/rating/", tickets.TicketRatingView.as_view(), name="api-ticket-rating"
    ),
    path(
        "tickets/<str:token>/notifications/",
        notifications.TicketNotificationsView.as_view(),
        name="api-ticket-notifications",
    ),
    path(
        "notifications/inbound/",
        notifications.InboundReplyView.as_view(),
        name="api-notifications-inbound",
    ),
    path(
        "tickets/<str:token>/transfer/",
        tickets.TicketTransferView.as_view(),
        name="api-ticket-transfer",
    ),
    *(
        path(
            f"tickets/<str:token>/{action}/",
            tickets.TicketStaffActionView.as_view(action=action),
            name=f"api-ticket-{action}",
        )
        for action in tickets.TicketStaffActionView.actions
    ),
]
