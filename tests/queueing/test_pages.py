"""The live lobby's pages, as the server renders them: who may open which, and that each starts
from the same snapshot its socket sends."""

import json

import pytest
from django.test import Client

from queueing import services
from queueing.models import StaffMembership
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def embedded_snapshot(response) -> dict:
    html = response.content.decode()
    start = html.index('id="snapshot"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_anyone_opens_a_wall_screen_which_starts_from_the_screen_snapshot(cash, counter, teller):
    factories.issue(cash, 2)
    services.ticket_call_next(counter=counter, actor=teller)
    response = Client().get("/screens/GZ-TH01/")
    assert response.status_code == 200
    snapshot = embedded_snapshot(response)
    assert snapshot["version"] == 3
    assert snapshot["calls"][0]["number"] == "A001"
    assert '"token"' not in response.content.decode()


def test_a_wall_screen_of_an_unknown_branch_is_a_page_not_found(db):
    response = Client().get("/screens/NOPE-01/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/lobby/GZ-TH01/", "/counter/GZ-TH01/1/"])
def test_staff_pages_send_anonymous_visitors_to_the_login(path, counter):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", ["/lobby/GZ-TH01/", "/counter/GZ-TH01/1/"])
def test_staff_of_another_branch_are_refused_staff_pages(path, counter):
    stranger = factories.make_staff(factories.make_branch("FS-CC01"), role="lobby_manager")
    response = logged_in(stranger).get(path)
    assert response.status_code == 403
    assert "another branch" in response.content.decode()


def test_the_lobby_board_starts_from_the_lobby_snapshot(cash, counter):
    manager = factories.make_staff(counter.branch, role=StaffMembership.Role.LOBBY_MANAGER)
    factories.issue(cash, 2)
    snapshot = embedded_snapshot(logged_in(manager).get("/lobby/GZ-TH01/"))
    assert [t["number"] for t in snapshot["tickets"]] == ["A001", "A002"]


def test_a_teller_opens_their_counter_page(teller, counter):
    response = logged_in(teller).get("/counter/GZ-TH01/1/")
    assert response.status_code == 200
    assert logged_in(teller).get("/counter/GZ-TH01/9/").status_code == 404


def test_a_ticket_page_opens_by_its_token_only(cash):
    (ticket,) = factories.issue(cash)
    response = Client().get(f"/t/{ticket.token}/")
    assert response.status_code == 200
    assert embedded_snapshot(response)["ticket"]["number"] == "A001"
    assert Client().get("/t/guessed-token/").status_code == 404


def test_staff_land_at_their_counter_or_their_lobby_after_logging_in(teller, counter):
    counter.teller = teller
    counter.save()
    manager = factories.make_staff(counter.branch, role=StaffMembership.Role.LOBBY_MANAGER)
    assert logged_in(teller).get("/staff/")["Location"] == "/counter/GZ-TH01/1/"
    assert logged_in(manager).get("/staff/")["Location"] == "/lobby/GZ-TH01/"


def test_the_login_page_logs_staff_in(teller, counter):
    teller.set_password("a-long-test-password")
    teller.save()
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": teller.get_username(), "password": "a-long-test-password"},
    )
    assert response.status_code == 302
    assert client.get("/lobby/GZ-TH01/").status_code == 200


def test_a_chinese_browser_gets_the_pages_in_chinese(cash):
    (ticket,) = factories.issue(cash)
    response = Client(headers={"accept-language": "zh-CN,zh;q=0.9"}).get(f"/t/{ticket.token}/")
    assert '<html lang="zh-hans">' in response.content.decode()
