"""Staff actions in a real browser: a no-show or a finish at the counter shows at once, waits a
few seconds with its Undo and only then goes to the server (sooner when another action needs it
done, or the page is left); a recall the server no longer allows says why; and the lobby
manager issues tickets, priority ones included, from the board."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from queueing.models import Ticket
from tests import factories
from tests.browser.test_lobby_board import make_lobby

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTER_PC = {"viewport": {"width": 1366, "height": 768}}
TABLETS = {
    "landscape": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "portrait": {"viewport": {"width": 768, "height": 1024}, "has_touch": True},
}
BROWSERS = {"English": "en-US", "Chinese": "zh-CN"}
# Past the counter's grace period (static/branchsite/staff.js UNDO_GRACE_MS, 5 s).
PAST_THE_GRACE_PERIOD = "00:06"


@pytest.fixture
def lobby_manager(branch):
    return factories.make_staff(branch, role="lobby_manager")


@pytest.fixture
def priority(branch):
    return factories.make_service(
        branch, "V", name_en="Priority", name_zh="优先服务", is_priority=True
    )


def wait_until_live(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")


def stop_the_clock(page) -> None:
    """From here on the page's timers fire only as the test moves its clock: the grace period
    does not run out while a slow machine takes its time between two steps."""
    page.clock.pause_at(timezone.now() + timedelta(seconds=1))


def open_counter(new_page, teller, language: str = "English"):
    desk = new_page(user=teller, locale=BROWSERS[language], **COUNTER_PC)
    desk.clock.install()
    desk.goto("/counter/GZ-TH01/1/")
    wait_until_live(desk)
    stop_the_clock(desk)
    return desk


def actions_sent(page) -> list[str]:
    """The API actions the page POSTs from now on, by the last part of their path ("no-show",
    "call-next"…), in the order they leave."""
    sent: list[str] = []

    def on_request(request) -> None:
        if request.method == "POST" and "/api/" in request.url:
            sent.append(request.url.rstrip("/").rsplit("/", 1)[-1])

    page.on("request", on_request)
    return sent


def status_in_db(ticket) -> str:
    ticket.refresh_from_db()
    return ticket.status


def settle(page) -> None:
    """Time for a request the page might still send to leave and be seen: a round trip to the
    page, then a moment of real time."""
    page.evaluate("1")
    time.sleep(0.5)


def eventually(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the database never agreed"
        time.sleep(0.1)


def call_first(desk) -> None:
    desk.keyboard.press("n")
    expect(desk.locator("#current-ticket")).to_have_attribute("data-status", "called")
    expect(desk.locator("#no-show")).to_be_enabled()


# The grace period ----------------------------------------------------------------------------


def test_a_teller_undoes_a_no_show_within_the_grace_period_and_nothing_is_sent(
    new_page, in_thread, screenshot, cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    sent = actions_sent(desk)
    current = desk.locator("#current-ticket")
    bar = desk.locator("#undo-bar")
    call_first(desk)

    desk.keyboard.press("x")

    expect(bar).to_be_visible()
    expect(bar.locator("[data-role=what]")).to_have_text("A001 marked no-show")
    expect(bar.locator("[data-role=countdown]")).to_have_text("sent in 5 s")
    expect(current).to_have_attribute("data-status", "idle")
    screenshot(desk, "pending")
    desk.clock.run_for("00:02")
    expect(bar.locator("[data-role=countdown]")).to_have_text("sent in 3 s")

    bar.get_by_role("button", name="Undo").click()

    expect(bar).to_be_hidden()
    expect(current).to_have_attribute("data-status", "called")
    expect(current.locator("[data-role=number]")).to_have_text("A001")
    expect(desk.locator("#message")).to_have_text("Undone: A001 is back at this counter.")
    expect(desk.locator("#no-show")).to_be_enabled()
    desk.clock.run_for(PAST_THE_GRACE_PERIOD)
    settle(desk)
    assert sent == ["call-next"]
    assert status_in_db(ticket) == "called"
    expect(current).to_have_attribute("data-status", "called")


def test_a_teller_marks_a_no_show_and_without_undo_it_is_sent_when_the_grace_period_ends(
    new_page, in_thread, cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    sent = actions_sent(desk)
    bar = desk.locator("#undo-bar")
    call_first(desk)

    desk.locator("#no-show").click()

    expect(bar.locator("[data-role=what]")).to_have_text("A001 marked no-show")
    desk.clock.run_for("00:04")
    settle(desk)
    assert sent == ["call-next"]
    assert status_in_db(ticket) == "called"

    desk.clock.run_for("00:02")

    expect(bar).to_be_hidden()
    expect(desk.locator("#message")).to_have_text("A001 marked no-show")
    expect(desk.locator("#current-ticket")).to_have_attribute("data-status", "idle")
    assert sent == ["call-next", "no-show"]
    eventually(lambda: status_in_db(ticket) == "no_show")


def test_a_teller_undoes_a_finish_and_the_customer_is_still_being_served(
    new_page, in_thread, cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    sent = actions_sent(desk)
    current = desk.locator("#current-ticket")
    call_first(desk)
    desk.keyboard.press("s")
    expect(current).to_have_attribute("data-status", "serving")
    expect(desk.locator("#finish")).to_be_enabled()

    desk.keyboard.press("f")

    bar = desk.locator("#undo-bar")
    expect(bar.locator("[data-role=what]")).to_have_text("A001 finished")
    expect(current).to_have_attribute("data-status", "idle")
    desk.keyboard.press("u")

    expect(bar).to_be_hidden()
    expect(current).to_have_attribute("data-status", "serving")
    expect(desk.locator("#finish")).to_be_enabled()
    desk.clock.run_for(PAST_THE_GRACE_PERIOD)
    settle(desk)
    assert sent == ["call-next", "start"]
    assert status_in_db(ticket) == "serving"


def test_calling_the_next_customer_during_a_pending_no_show_sends_the_no_show_first(
    new_page, in_thread, cash, counter, teller
):
    """The server refuses a call while the counter still holds a called customer
    (`counter_busy`): the held no-show goes first, then the call, and no refusal shows."""
    first, second = in_thread(factories.issue, cash, 2)
    desk = open_counter(new_page, teller)
    sent = actions_sent(desk)
    current = desk.locator("#current-ticket")
    call_first(desk)
    desk.keyboard.press("x")
    expect(desk.locator("#undo-bar")).to_be_visible()
    expect(desk.locator("#call-next")).to_be_enabled()

    desk.keyboard.press("n")

    expect(current.locator("[data-role=number]")).to_have_text("A002")
    expect(current).to_have_attribute("data-status", "called")
    expect(desk.locator("#undo-bar")).to_be_hidden()
    expect(desk.locator("#message")).to_be_empty()  # no refusal, no "nobody is waiting"
    assert sent == ["call-next", "no-show", "call-next"]
    assert status_in_db(first) == "no_show"
    assert status_in_db(second) == "called"


def test_a_no_show_pending_as_the_teller_leaves_the_page_is_sent_all_the_same(
    new_page, in_thread, cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    call_first(desk)
    desk.keyboard.press("x")
    expect(desk.locator("#undo-bar")).to_be_visible()

    desk.goto("/")

    eventually(lambda: status_in_db(ticket) == "no_show")


def test_a_no_show_the_server_refuses_when_its_time_comes_shows_why(
    new_page,
    api_post,
    in_thread,
    console_errors,
    screenshot,
    cash,
    non_cash,
    counter,
    teller,
    lobby_manager,
):
    """The ticket was moved on meanwhile (the lobby manager transferred it): the socket's news
    applies during the grace period, and the server's refusal is shown when the no-show goes."""
    console_errors.expect(r"status of 409")
    (ticket,) = in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    call_first(desk)
    desk.keyboard.press("x")
    expect(desk.locator("#undo-bar")).to_be_visible()

    status, _moved = api_post(
        f"/api/tickets/{ticket.token}/transfer/", {"service": "B"}, user=lobby_manager
    )
    assert status == 200
    expect(desk.locator("#queue-lengths [data-prefix=B] [data-role=waiting]")).to_have_text("1")
    desk.clock.run_for(PAST_THE_GRACE_PERIOD)

    message = desk.locator("#message")
    expect(message).to_have_attribute("data-tone", "error")
    expect(message).to_contain_text("A001")
    expect(desk.locator("#current-ticket")).to_have_attribute("data-status", "idle")
    screenshot(desk, "refused")
    assert status_in_db(ticket) == "transferred"


# Confirmed actions and their feedback ---------------------------------------------------------


def test_a_transfer_names_the_ticket_before_and_says_where_it_went_after(
    new_page, in_thread, cash, non_cash, counter, teller
):
    in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller)
    call_first(desk)

    desk.keyboard.press("t")

    dialog = desk.locator("#transfer-dialog")
    expect(dialog.locator("[data-role=lead]")).to_have_text(
        "Ticket A001 keeps its place by issue time in the new queue."
    )
    dialog.get_by_role("button", name="Transfer").click()
    message = desk.locator("#message")
    expect(message).to_have_text("A001 moved to B · Non-cash.")
    expect(message).to_have_attribute("data-tone", "info")


def test_a_cancel_on_the_board_names_the_ticket_and_what_follows_and_says_it_is_done(
    new_page, in_thread, screenshot, cash, counter, lobby_manager
):
    (ticket,) = in_thread(factories.issue, cash)
    board = new_page(user=lobby_manager, **TABLETS["landscape"])
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)

    row = board.locator(f"#tickets [data-token='{ticket.token}']")
    row.get_by_role("button", name="Cancel").click()

    dialog = board.locator("#cancel-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Cancel ticket A001?")
    expect(dialog).to_contain_text("loses their place. This cannot be undone.")
    dialog.get_by_role("button", name="Cancel ticket").click()
    message = board.locator("#message")
    expect(message).to_have_text("A001 cancelled.")
    expect(message).to_have_attribute("data-tone", "info")
    screenshot(board, "cancelled")
    assert status_in_db(ticket) == "cancelled"


# Recall --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("English", "Recalled twice: mark no-show instead"),
        ("Chinese", "已重呼两次：请标记过号"),
    ],
    ids=["English", "Chinese"],
)
def test_after_two_recalls_the_recall_button_is_off_and_says_why(
    new_page, in_thread, screenshot, cash, counter, teller, language, reason
):
    in_thread(factories.issue, cash)
    desk = open_counter(new_page, teller, language)
    recall = desk.locator("#recall")
    why = desk.locator("#recall-reason")
    call_first(desk)
    expect(why).to_be_hidden()

    for recalls in (1, 2):
        expect(recall).to_be_enabled()
        desk.keyboard.press("r")
        # "… · Recalls: 1", "… · 重呼次数：1"
        detail = desk.locator("#current-ticket [data-role=detail]")
        expect(detail).to_have_text(re.compile(rf"[:：]\s*{recalls}$"))

    expect(recall).to_be_disabled()
    expect(why).to_be_visible()
    expect(why).to_have_text(reason)
    assert recall.get_attribute("aria-describedby") == "recall-reason"
    box, viewport = why.bounding_box(), desk.viewport_size
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert within(box, viewport), f"the reason is off the screen: {box}"
    assert desk.evaluate(TOPMOST_AT_CENTRE, "#recall-reason"), "the reason is covered"
    screenshot(desk, "recalled-twice")

    desk.keyboard.press("s")
    expect(why).to_be_hidden()


# Layout --------------------------------------------------------------------------------------


def within(box: dict, viewport: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


# Whether the element `selector` names is the topmost thing at its centre (nothing covers it).
TOPMOST_AT_CENTRE = """
(selector) => {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  return element.contains(document.elementFromPoint(box.left + box.width / 2,
                                                    box.top + box.height / 2));
}
"""

# The enabled buttons under `within` that are in view (on the screen, not scrolled out of their
# panel) while the topmost thing at their centre is not theirs: what a tap there would miss.
COVERED_BUTTONS = """
(within) => {
  const scroller = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (/(auto|scroll|hidden)/.test(getComputedStyle(parent).overflowY)) return parent;
    }
    return null;
  };
  const inView = (x, y, element) => {
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const clip = scroller(element)?.getBoundingClientRect();
    return !clip || (x > clip.left && x < clip.right && y > clip.top && y < clip.bottom);
  };
  return [...document.querySelectorAll(within + " button")]
    .filter((button) => button.getClientRects().length && !button.disabled)
    .filter((button) => {
      const box = button.getBoundingClientRect();
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      return inView(x, y, button) && !button.contains(document.elementFromPoint(x, y));
    })
    .map((button) => button.textContent.trim());
}
"""


@pytest.mark.parametrize("language", BROWSERS)
def test_the_undo_bar_is_on_the_counters_screen_and_covers_no_button(
    new_page, in_thread, screenshot, cash, counter, teller, language
):
    in_thread(factories.issue, cash, 2)
    desk = open_counter(new_page, teller, language)
    call_first(desk)

    desk.keyboard.press("x")

    bar = desk.locator("#undo-bar")
    expect(bar).to_be_visible()
    assert within(bar.bounding_box(), desk.viewport_size), bar.bounding_box()
    assert desk.evaluate(TOPMOST_AT_CENTRE, "#undo-bar [data-action=undo]")
    expect(desk.locator("#call-next")).to_be_enabled()
    assert within(desk.locator("#call-next").bounding_box(), desk.viewport_size)
    assert desk.evaluate(COVERED_BUTTONS, "body") == []
    assert desk.evaluate("document.documentElement.scrollHeight <= innerHeight"), (
        "the counter page scrolls with the undo bar"
    )
    screenshot(desk, "undo-bar")
    # Nothing left pending: closing the page would send it while the test database is emptied.
    desk.locator("#undo-bar [data-action=undo]").click()
    expect(bar).to_be_hidden()


@pytest.mark.parametrize(
    ("device", "language"),
    [
        ("landscape", "English"),
        ("landscape", "Chinese"),
        ("portrait", "English"),
        ("portrait", "Chinese"),
    ],
)
def test_the_issue_dialog_is_on_the_tablets_screen_and_covers_none_of_its_buttons(
    new_page, in_thread, screenshot, branch, lobby_manager, device, language
):
    in_thread(make_lobby, branch, queue_count=5, counter_count=4)
    board = new_page(user=lobby_manager, locale=BROWSERS[language], **TABLETS[device])
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)
    opener = board.locator("#issue-open")
    expect(board.locator("#tickets tbody tr")).to_have_count(15)
    screenshot(board, "board")
    assert within(opener.bounding_box(), board.viewport_size)
    assert board.evaluate(TOPMOST_AT_CENTRE, "#issue-open")
    assert board.evaluate(COVERED_BUTTONS, ".board") == []

    opener.click()

    dialog = board.locator("#issue-dialog")
    expect(dialog.locator("[data-prefix]")).to_have_count(5)
    assert within(dialog.bounding_box(), board.viewport_size), dialog.bounding_box()
    assert board.evaluate(COVERED_BUTTONS, "#issue-dialog") == []
    screenshot(board, "choose")

    dialog.locator("[data-prefix=V]").click()

    expect(dialog.locator("[data-role=number]")).to_have_text("V001")
    assert within(dialog.bounding_box(), board.viewport_size), dialog.bounding_box()
    assert board.evaluate(COVERED_BUTTONS, "#issue-dialog") == []
    screenshot(board, "issued")


# Issuing on the board -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "priority_label", "handover", "channel"),
    [
        ("English", "V · Priority", "Hand this number to the customer.", "Lobby manager"),
        ("Chinese", "V · 优先服务", "请将此号码交给客户。", "大堂经理"),
    ],
    ids=["English", "Chinese"],
)
def test_the_lobby_manager_issues_a_priority_ticket_from_the_board_and_sees_its_number(
    new_page,
    in_thread,
    screenshot,
    cash,
    non_cash,
    priority,
    counter,
    lobby_manager,
    language,
    priority_label,
    handover,
    channel,
):
    in_thread(factories.issue, cash)
    board = new_page(user=lobby_manager, locale=BROWSERS[language], **TABLETS["landscape"])
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)

    board.locator("#issue-open").click()

    dialog = board.locator("#issue-dialog")
    expect(dialog).to_be_visible()
    services = dialog.locator("[data-prefix]")
    expect(services).to_have_count(3)
    expect(services.nth(2)).to_have_text(re.compile(r"V\s*" + priority_label.split(" · ")[1]))
    services.nth(2).click()

    number = dialog.locator("[data-role=number]")
    expect(number).to_have_text("V001")
    expect(dialog.locator("[data-role=service]")).to_have_text(priority_label)
    expect(dialog).to_contain_text(handover)
    assert float(number.evaluate("(n) => parseFloat(getComputedStyle(n).fontSize)")) >= 48
    screenshot(board, "issued")
    issued = Ticket.objects.get(number="V001")
    assert (issued.channel, issued.status, issued.service.prefix) == ("lobby", "waiting", "V")

    dialog.locator("[data-action=close]:visible").click()

    expect(dialog).to_be_hidden()
    row = board.locator(f"#tickets [data-token='{issued.token}']")
    expect(row.locator("[data-role=number]")).to_have_text("V001")
    expect(row.locator(".channel")).to_have_text(channel)
    screenshot(board, "listed")
    expect(board.locator("#queues [data-prefix=V] [data-role=waiting]")).to_have_text("1")


def test_a_refused_ticket_shows_the_servers_reason_in_the_dialog(
    new_page, in_thread, console_errors, cash, priority, counter, teller
):
    """A teller may open the board, but a priority ticket the server gives only to the kiosk and
    the lobby manager (403 `priority_in_branch_only`): its `detail` shows, nothing is issued."""
    console_errors.expect(r"status of 403")
    board = new_page(user=teller, **TABLETS["landscape"])
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)
    board.locator("#issue-open").click()
    dialog = board.locator("#issue-dialog")

    dialog.locator("[data-prefix=V]").click()

    expect(dialog.locator("[data-role=error]")).to_contain_text("given in the branch")
    expect(dialog.locator("[data-role=number]")).to_be_hidden()
    assert not Ticket.objects.filter(service=priority).exists()
