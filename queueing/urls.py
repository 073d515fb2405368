from django.urls import path

from . import api

urlpatterns = [
    path("branches/", api.BranchListView.as_view(), name="api-branches"),
    path("branches/<str:code>/", api.BranchDetailView.as_view(), name="api-branch"),
    path(
        "branches/<str:code>/counters/<int:number>/call-next/",
        api.CallNextView.as_view(),
        name="api-call-next",
    ),
    *(
        path(
            f"branches/<str:code>/counters/<int:number>/{action}/",
            api.CounterStateView.as_view(action=action),
            name=f"api-counter-{action}",
        )
        for action in api.CounterStateView.actions
    ),
    path("branches/<str:code>/lobby/", api.LobbyView.as_view(), name="api-lobby"),
    path("branches/<str:code>/slots/", api.SlotListView.as_view(), name="api-slots"),
    path(
        "branches/<str:code>/alternatives/",
        api.BranchAlternativesView.as_view(),
        name="api-branch-alternatives",
    ),
    path("branches/<str:code>/check-in/", api.BranchCheckInView.as_view(), name="api-check-in"),
    path("appointments/", api.AppointmentCreateView.as_view(), name="api-appointments"),
    path("appointments/<str:token>/", api.AppointmentDetailView.as_view(), name="api-appointment"),
    path(
        "appointments/<str:token>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="api-appointment-cancel",
    ),
    path(
        "appointments/<str:token>/reschedule/",
        api.AppointmentRescheduleView.as_view(),
        name="api-appointment-reschedule",
    ),
    path(
        "appointments/<str:token>/check-in/",
        api.AppointmentCheckInView.as_view(),
        name="api-appointment-check-in",
    ),
    path(
        "appointments/<str:token>/calendar.ics",
        api.AppointmentCalendarView.as_view(),
        name="api-appointment-calendar",
    ),
    path(
        "appointments/<str:token>/qr.png",
        api.AppointmentQrView.as_view(),
        name="api-appointment-qr",
    ),
    path("reserved-cash/", api.ReservedCashView.as_view(), name="api-reserved-cash"),
    path("tickets/", api.TicketCreateView.as_view(), name="api-tickets"),
    path("tickets/<str:token>/history/", api.StaffTicketView.as_view(), name="api-ticket-history"),
    path("tickets/<str:token>/", api.TicketDetailView.as_view(), name="api-ticket"),
    path(
        "tickets/<str:token>/alternatives/",
        api.TicketAlternativesView.as_view(),
        name="api-ticket-alternatives",
    ),
    path("tickets/<str:token>/cancel/", api.TicketCancelView.as_view(), name="api-ticket-cancel"),
    path("tickets/<str:token>/rating/", api.TicketRatingView.as_view(), name="api-ticket-rating"),
    path(
        "tickets/<str:token>/transfer/",
        api.TicketTransferView.as_view(),
        name="api-ticket-transfer",
    ),
    *(
        path(
            f"tickets/<str:token>/{action}/",
            api.TicketStaffActionView.as_view(action=action),
            name=f"api-ticket-{action}",
        )
        for action in api.TicketStaffActionView.actions
    ),
    path("auth/token/", api.AuthTokenView.as_view(), name="api-auth-token"),
]
