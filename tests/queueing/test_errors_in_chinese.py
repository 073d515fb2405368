"""Refusals are explained in the language of whoever asked: `code` stays, `detail` is translated."""

import pytest
from django.utils import translation

from kiosks.services import kiosk_register
from queueing import services
from tests import factories

pytestmark = pytest.mark.django_db

CALL_NEXT = "/api/branches/GZ-TH01/counters/1/call-next/"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def _language_not_kept_for_the_next_test():
    # The locale middleware activates the caller's language for the thread and leaves it there.
    yield
    translation.deactivate()


@pytest.fixture
def closed_counter(counter, cash):
    counter.is_open = False
    counter.save()
    factories.issue(cash)
    return counter


def test_a_chinese_speaking_teller_who_calls_at_a_closed_counter_reads_why_in_chinese(
    teller_api, closed_counter
):
    response = teller_api.post(CALL_NEXT, **CHINESE)
    assert response.status_code == 409
    assert response.json() == {"code": "counter_closed", "detail": "1号窗口已关闭。"}


def test_an_english_speaking_teller_reads_the_same_refusal_in_english(teller_api, closed_counter):
    response = teller_api.post(CALL_NEXT, **ENGLISH)
    assert response.status_code == 409
    assert response.json() == {"code": "counter_closed", "detail": "Counter 1 is closed."}


def test_a_chinese_speaking_customer_who_cancels_a_called_ticket_reads_its_status_in_chinese(
    api, cash, counter, teller
):
    (ticket,) = factories.issue(cash)
    services.ticket_call_next(counter=counter, actor=teller)
    response = api.post(f"/api/tickets/{ticket.token}/cancel/", **CHINESE)
    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "detail": "A001号当前状态为“已叫号”，无法取消。",
        "status_now": "called",
    }


def test_a_kiosk_of_another_branch_is_refused_in_chinese_with_its_code_unchanged(api, branch, cash):
    other = factories.make_branch("ST-JP02")
    factories.make_service(other, "A")
    _, key = kiosk_register(branch=branch, name="Lobby 1")
    response = api.post(
        "/api/tickets/",
        {"branch": "ST-JP02", "service": "A"},
        format="json",
        HTTP_AUTHORIZATION=f"Kiosk {key}",
        **CHINESE,
    )
    assert response.status_code == 403
    assert response.json() == {"code": "kiosk_wrong_branch", "detail": "自助机只能为本网点取号。"}
