"""The customer pages as the server renders them: the branch finder, a branch, an appointment and
the ticket's rating. Each starts from the data its script embeds, in the customer's language, and
never shows a full phone number."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from queueing import selectors, services
from queueing.appointment_files import card_version
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def embedded(response, element_id: str):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def book(service, *, phone: str = PHONE, **fields):
    """An appointment in the first slot of tomorrow, the branch's own tomorrow."""
    tomorrow = service.branch.business_day(timezone.now()) + timedelta(days=1)
    start = selectors.slots_for_day(service=service, day=tomorrow)[0].start
    return services.appointment_book(service=service, start=start, phone=phone, **fields)


def finished_ticket(service, counter, teller):
    (ticket,) = factories.issue(service)
    services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_start(ticket=ticket, actor=teller)
    return services.ticket_finish(ticket=ticket, actor=teller)


@pytest.fixture
def bookable(branch):
    return factories.make_service(
        branch, "C", name_en="Wealth", name_zh="理财", appointment_capacity=2
    )


# The finder ---------------------------------------------------------------------------------


def test_the_finder_lists_the_active_branches_with_their_waits(cash):
    factories.issue(cash, 3)
    factories.make_branch("FS-CC01", name_en="Zumiao Road Sub-branch", city_en="Foshan")
    factories.make_branch("ST-OLD1", name_en="Closed-down Sub-branch", is_active=False)

    response = Client().get("/")

    assert response.status_code == 200
    branches = embedded(response, "branches")
    assert [branch["code"] for branch in branches] == ["FS-CC01", "GZ-TH01"]
    tianhe = next(branch for branch in branches if branch["code"] == "GZ-TH01")
    assert tianhe["services"][0]["waiting"] == 3
    html = response.content.decode()
    assert "Closed-down Sub-branch" not in html
    assert 'href="/branches/GZ-TH01/"' in html  # the list without JavaScript


def test_the_finder_offers_a_search_a_city_picker_and_near_me(branch):
    factories.make_branch("FS-CC01", city_zh="佛山", city_en="Foshan")

    html = Client().get("/?q=tianhe").content.decode()

    assert re.search(r'<input id="finder-q" name="q" type="search" value="tianhe"', html)
    assert '<option value="Foshan">Foshan</option>' in html
    assert '<option value="Guangzhou">Guangzhou</option>' in html
    assert 'id="near-me"' in html
    assert "/static/queueing/finder.js" in html


# The branch page ----------------------------------------------------------------------------


def test_a_branch_page_embeds_the_branch_its_day_and_what_can_be_booked(cash, bookable):
    response = Client().get("/branches/GZ-TH01/")

    assert response.status_code == 200
    data = embedded(response, "branch-data")
    assert data["branch"]["code"] == "GZ-TH01"
    assert data["today"] == cash.branch.business_day(timezone.now()).isoformat()
    today = cash.branch.business_day(timezone.now())
    # Only C takes appointments: from today up to APPOINTMENT_BOOKING_DAYS (14) ahead.
    assert data["booking_windows"] == {
        "C": {
            "first_day": today.isoformat(),
            "last_day": (today + timedelta(days=14)).isoformat(),
        }
    }
    assert {"code": "CNY", "name": "Chinese yuan"} in data["currencies"]
    takes = {s["prefix"]: s["takes_appointments"] for s in data["branch"]["services"]}
    assert takes == {"A": False, "C": True}
    html = response.content.decode()
    assert 'id="ticket-form"' in html
    assert 'id="book-form"' in html
    assert 'inputmode="tel" autocomplete="tel"' in html


@pytest.mark.parametrize("path", ["/branches/NOPE-01/", "/branches/GZ-OLD1/"])
def test_an_unknown_or_closed_down_branch_is_a_page_not_found(path, branch):
    factories.make_branch("GZ-OLD1", is_active=False)

    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# The appointment page -----------------------------------------------------------------------


def test_an_appointment_page_shows_the_code_and_never_the_full_phone(bookable):
    appointment = book(bookable, name="张三丰")

    response = Client().get(f"/a/{appointment.token}/")

    assert response.status_code == 200
    html = response.content.decode()
    data = embedded(response, "appointment-data")
    assert data["appointment"]["code"] == appointment.code
    assert data["appointment"]["status"] == "booked"
    assert data["appointment"]["phone"] == "138****5678"
    assert set(data["booking_window"]) == {"first_day", "last_day"}
    assert PHONE not in html
    assert "张三丰" not in html
    assert appointment.code in html
    # The card's version in its URLs: a cached card never outlives a reschedule.
    version = card_version(appointment)
    assert f'src="/api/appointments/{appointment.token}/qr.png?v={version}"' in html
    assert re.search(
        rf'href="/api/appointments/{appointment.token}/calendar.ics\?v={version}"\s+download', html
    )


def test_a_cash_appointment_page_carries_the_amount_and_currency(branch):
    cash_withdrawal = factories.make_service(
        branch, "D", appointment_capacity=2, reserves_cash=True
    )
    appointment = book(cash_withdrawal, cash_amount=Decimal("50000.00"), cash_currency="CNY")

    data = embedded(Client().get(f"/a/{appointment.token}/"), "appointment-data")

    assert data["appointment"]["cash_amount"] == "50000.00"
    assert data["appointment"]["cash_currency"] == "CNY"
    assert data["appointment"]["service"]["reserves_cash"] is True


def test_a_cancelled_appointment_page_still_opens(bookable):
    appointment = services.appointment_cancel(appointment=book(bookable))

    response = Client().get(f"/a/{appointment.token}/")

    assert response.status_code == 200
    assert embedded(response, "appointment-data")["appointment"]["status"] == "cancelled"


def test_an_unknown_appointment_is_a_page_not_found(db):
    response = Client().get("/a/guessed-token/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# The ticket's rating and the shorter waits ------------------------------------------------------


def test_a_waiting_ticket_hides_the_rating_and_has_room_for_shorter_waits(cash):
    (ticket,) = factories.issue(cash)

    html = Client().get(f"/t/{ticket.token}/").content.decode()

    assert re.search(r'<section id="rating"[^>]*\shidden', html)
    assert re.search(r'<section id="shorter-waits"[^>]*\shidden', html)


def test_a_finished_ticket_asks_for_a_rating(cash, counter, teller):
    ticket = finished_ticket(cash, counter, teller)

    html = Client().get(f"/t/{ticket.token}/").content.decode()

    assert not re.search(r'<section id="rating"[^>]*\shidden', html)
    assert 'id="rating-form"' in html
    assert html.count('type="radio" id="stars-') == 5
    assert 'maxlength="500"' in html


def test_a_rated_ticket_shows_its_rating_instead_of_asking_again(cash, counter, teller):
    ticket = finished_ticket(cash, counter, teller)
    services.ticket_rate(ticket=ticket, stars=4, comment="Quick and friendly")

    html = Client().get(f"/t/{ticket.token}/").content.decode()

    assert 'id="rating-form"' not in html
    assert "4 stars out of 5" in html
    assert html.count('<span class="on">★</span>') == 4
    assert "Quick and friendly" in html


# Languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["finder", "branch", "appointment", "ticket"])
def test_the_customer_pages_render_in_chinese(page, cash, bookable):
    path = {
        "finder": "/",
        "branch": "/branches/GZ-TH01/",
        "appointment": lambda: f"/a/{book(bookable).token}/",
        "ticket": lambda: f"/t/{factories.issue(cash)[0].token}/",
    }[page]
    path = path() if callable(path) else path

    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "天河支行" in html


def test_without_javascript_the_finder_form_filters_the_list_on_the_server(db):
    factories.make_branch("GZ-TH01", name_en="Tianhe Sub-branch")
    factories.make_branch(
        "ST-JP02", name_en="Jinping Sub-branch", city_zh="汕头", city_en="Shantou"
    )
    html = Client().get("/", {"q": "jinping"}).content.decode()
    noscript = html[html.index("<noscript>\n    <ol") :]
    assert "/branches/ST-JP02/" in noscript
    assert "/branches/GZ-TH01/" not in noscript
