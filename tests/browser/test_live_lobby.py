"""The live lobby in a real browser: what the wall screen, the teller's counter page, the lobby
manager's board and the customer's phone show while the queue moves, and after an outage."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from queueing import selectors, services
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
COUNTER_PC = {"viewport": {"width": 1366, "height": 768}}
TABLET = {"viewport": {"width": 1024, "height": 768}}
# The socket retries with a growing backoff; after an outage the next try may be seconds away.
RECONNECT_MS = 12000


def wait_until_live(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")


@pytest.fixture
def lobby_manager(branch):
    return factories.make_staff(branch, role="lobby_manager")


def test_a_wall_screen_shows_a_call_made_through_the_api_within_two_seconds(
    new_page, api_post, in_thread, screenshot, cash, counter, teller
):
    in_thread(factories.issue, cash, 2)
    screen = new_page(**WALL_SCREEN)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    waiting = screen.locator("#queues [data-prefix=A] [data-role=waiting]")
    expect(waiting).to_have_text("2")

    status, called = api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)

    assert (status, called["number"]) == (200, "A001")
    current_call = screen.locator("#current-call")
    expect(current_call.locator("[data-role=number]")).to_have_text("A001", timeout=2000)
    expect(current_call.locator("[data-role=counter]")).to_contain_text("1")
    expect(screen.locator("#announcer")).to_contain_text("A001")
    expect(waiting).to_have_text("1")
    screenshot(screen, "called")


def test_a_wall_screen_is_right_again_after_its_connection_is_cut(
    server, new_page, in_thread, console_errors, screenshot, cash, counter, teller
):
    in_thread(factories.issue, cash, 3)
    screen = new_page(**WALL_SCREEN)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    console_errors.expect(r"WebSocket connection to .* failed")

    with server.down():
        expect(screen.locator("body")).to_have_attribute("data-live", "reconnecting")
        expect(screen.locator(".connection")).to_be_visible()
        expect(screen.locator(".connection")).to_have_text("正在重新连接… / Reconnecting…")
        screenshot(screen, "reconnecting")
        in_thread(services.ticket_call_next, counter=counter, actor=teller)

    expect(screen.locator("body")).to_have_attribute("data-live", "live", timeout=RECONNECT_MS)
    expect(screen.locator(".connection")).to_be_hidden()
    expect(screen.locator("#current-call [data-role=number]")).to_have_text("A001")
    expect(screen.locator("#queues [data-prefix=A] [data-role=waiting]")).to_have_text("2")
    screenshot(screen, "back")


def test_a_teller_calls_on_the_counter_page_and_the_customer_sees_it_on_their_phone(
    new_page, in_thread, screenshot, cash, counter, teller
):
    first, _second = in_thread(factories.issue, cash, 2)
    phone = new_page(**PHONE)
    phone.goto(f"/t/{first.token}/")
    wait_until_live(phone)
    expect(phone.locator("#ticket-status")).to_have_attribute("data-status", "waiting")
    desk = new_page(user=teller, **COUNTER_PC)
    desk.goto("/counter/GZ-TH01/1/")
    wait_until_live(desk)

    desk.keyboard.press("n")

    expect(desk.locator("#current-ticket")).to_contain_text("A001")
    called = phone.locator("#called-overlay")
    expect(called).to_be_visible()
    expect(called).to_contain_text(re.compile(r"\b1\b"))  # counter 1, not the 1 of A001
    expect(phone.locator("#ticket-status")).to_have_attribute("data-status", "called")
    screenshot(desk, "counter")
    screenshot(phone, "phone")


def test_the_lobby_board_updates_without_reload(
    new_page, api_post, screenshot, branch, cash, non_cash, counter, lobby_manager
):
    factories.make_counter(
        branch, 2, [cash, non_cash], teller=factories.make_staff(branch, role="teller")
    )
    board = new_page(user=lobby_manager, **TABLET)
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)
    board.evaluate("window.__marker = 'the same page'")
    waiting = board.locator("#queues [data-prefix=A] [data-role=waiting]")
    expect(waiting).to_have_text("0")

    status, ticket = api_post("/api/tickets/", {"branch": "GZ-TH01", "service": "A"})

    assert status == 201
    expect(board.locator(f"#tickets [data-token='{ticket['token']}']")).to_contain_text("A001")
    expect(waiting).to_have_text("1")

    counter_2 = board.locator('#counters [data-counter="2"]')
    expect(counter_2.locator("[data-role=state]")).to_have_text("Open")
    toggle = counter_2.locator("button[data-action=toggle]")
    toggle.click()

    expect(counter_2.locator("[data-role=state]")).to_have_text("Closed")
    expect(toggle).to_have_text("Open")
    assert board.evaluate("window.__marker") == "the same page"
    screenshot(board, "board")


def test_a_foreign_teller_is_refused_the_lobby_board(new_page, console_errors, branch):
    foreign_teller = factories.make_staff(factories.make_branch("FS-CC01"), role="teller")
    console_errors.expect(r"status of 403")

    refused = new_page(user=foreign_teller)
    response = refused.goto("/lobby/GZ-TH01/")

    assert response is not None and response.status == 403
    expect(refused.locator("h1")).to_contain_text("staff of another branch")

    anonymous = new_page()
    anonymous.goto("/lobby/GZ-TH01/")

    expect(anonymous).to_have_url(re.compile(r"/accounts/login/\?next=/lobby/GZ-TH01/$"))
    expect(anonymous.locator("input[name=password]")).to_be_visible()


def test_pages_speak_chinese_to_a_chinese_browser(new_page, in_thread, screenshot, cash, counter):
    (ticket,) = in_thread(factories.issue, cash)

    screen = new_page(locale="zh-CN", **WALL_SCREEN)
    screen.goto("/screens/GZ-TH01/")
    phone = new_page(locale="zh-CN", **PHONE)
    phone.goto(f"/t/{ticket.token}/")

    expect(screen.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.locator("main")).to_contain_text("现金")
    wait_until_live(screen)
    screenshot(screen, "wall-screen")
    screenshot(phone, "phone")


def test_the_teller_sees_the_cash_reserved_for_an_appointment_when_calling_it(
    new_page, in_thread, screenshot, branch, teller
):
    large_cash = in_thread(
        factories.make_service, branch, "D", appointment_capacity=2, reserves_cash=True
    )
    in_thread(factories.make_counter, branch, 1, [large_cash])
    now = timezone.now()
    today = branch.business_day(now)
    next_slot = next(
        start
        for day in (today, today + timedelta(days=1))  # after the day's last slot: tomorrow's first
        for start in selectors.slot_starts(service=large_cash, day=day)
        if start > now
    )
    # Booked yesterday, as large withdrawals must be; checked in now, within 30 minutes of it.
    appointment = in_thread(
        services.appointment_book,
        service=large_cash,
        start=next_slot,
        phone="13812345678",
        name="王小明",
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
        now=now - timedelta(days=1),
    )
    # The teller checks them in, at the earliest the check-in window allows (just before
    # midnight, the next slot is tomorrow's first).
    check_in_at = max(now, next_slot - timedelta(minutes=30))
    in_thread(services.appointment_check_in, appointment=appointment, actor=teller, now=check_in_at)
    desk = new_page(user=teller, **COUNTER_PC)
    desk.goto("/counter/GZ-TH01/1/")
    wait_until_live(desk)

    desk.keyboard.press("n")

    current = desk.locator("#current-ticket")
    expect(current).to_contain_text("D001")
    expect(current.locator("[data-role=appointment]")).to_contain_text("王小明")
    expect(current.locator("[data-role=cash]")).to_contain_text("80,000.00")
    screenshot(desk, "cash")


def test_a_waiting_ticket_turns_over_time_on_the_board_when_its_moment_passes(
    new_page, in_thread, screenshot, branch, lobby_manager
):
    """The server names the moment (`over_time_at`); the board turns the ticket red then,
    without a message from the socket, in the page's language."""
    quick = in_thread(
        factories.make_service, branch, "A", name_zh="现金", overtime_threshold_minutes=1
    )
    in_thread(factories.make_counter, branch, 1, [quick])
    (ticket,) = in_thread(factories.issue, quick)
    board = new_page(user=lobby_manager, locale="zh-CN", **TABLET)
    board.clock.install()
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)
    row = board.locator(f"#tickets [data-token='{ticket.token}']")
    card = board.locator("#queues [data-prefix=A]")
    expect(row).to_be_visible()
    expect(row).not_to_have_class(re.compile("is-over-time"))
    expect(card.locator("[data-role=over-time]")).to_have_count(0)

    board.clock.fast_forward("01:30")

    expect(row).to_have_class(re.compile("is-over-time"))
    expect(row.locator(".over-time-label")).to_have_text("超时")
    expect(card).to_have_class(re.compile("is-over-time"))
    expect(card.locator("[data-role=over-time]")).to_have_text("1 人超时")
    screenshot(board, "over-time")


def test_the_lobby_manager_cancels_and_transfers_waiting_tickets_through_their_dialogs(
    new_page, api_post, in_thread, screenshot, cash, non_cash, counter, lobby_manager
):
    first, second = in_thread(factories.issue, cash, 2)
    board = new_page(user=lobby_manager, **TABLET)
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)
    first_row = board.locator(f"#tickets [data-token='{first.token}']")
    cancel = board.locator("#cancel-dialog")

    first_row.get_by_role("button", name="Cancel").click()
    expect(cancel).to_be_visible()
    expect(cancel.get_by_role("heading")).to_have_text("Cancel ticket A001?")
    board.keyboard.press("Escape")
    expect(cancel).to_be_hidden()
    expect(first_row).to_be_visible()

    first_row.get_by_role("button", name="Cancel").click()
    cancel.get_by_role("button", name="Cancel ticket").click()

    expect(first_row).to_have_count(0)
    expect(board.locator("#queues [data-prefix=A] [data-role=waiting]")).to_have_text("1")
    first.refresh_from_db()
    assert first.status == "cancelled"

    second_row = board.locator(f"#tickets [data-token='{second.token}']")
    second_row.get_by_role("button", name="Transfer").click()
    transfer = board.locator("#transfer-dialog")
    expect(transfer.get_by_role("heading")).to_have_text("Transfer ticket A002")
    expect(transfer.locator("#transfer-service option")).to_have_text(["B · Non-cash"])
    screenshot(board, "transfer")
    transfer.get_by_role("button", name="Transfer").click()

    expect(second_row).to_have_count(0)
    moved = board.locator("#tickets tbody tr")
    expect(moved).to_have_count(1)
    expect(moved.locator(".service .prefix")).to_have_text("B")
    expect(board.locator("#queues [data-prefix=B] [data-role=waiting]")).to_have_text("1")
    expect(board.locator("#message")).to_have_text("A002 moved to B · Non-cash.")
    expect(board.locator("#message")).to_have_attribute("data-tone", "info")


def test_a_teller_transfers_with_the_keyboard_and_hears_when_nobody_waits(
    new_page, in_thread, cash, non_cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    desk = new_page(user=teller, **COUNTER_PC)
    desk.goto("/counter/GZ-TH01/1/")
    wait_until_live(desk)
    desk.keyboard.press("n")
    expect(desk.locator("#current-ticket")).to_have_attribute("data-status", "called")
    # A key does nothing while the last action is on its way; the socket may be quicker.
    expect(desk.locator("#transfer")).to_be_enabled()

    desk.keyboard.press("t")

    transfer = desk.locator("#transfer-dialog")
    expect(transfer).to_be_visible()
    expect(transfer.locator("[data-role=lead]")).to_contain_text("A001")
    expect(desk.locator("#transfer-service")).to_be_focused()
    desk.keyboard.press("Enter")

    expect(transfer).to_be_hidden()
    expect(desk.locator("#current-ticket")).to_have_attribute("data-status", "idle")
    expect(desk.locator("#queue-lengths [data-prefix=B] [data-role=waiting]")).to_have_text("1")
    ticket.refresh_from_db()
    assert ticket.status == "transferred"

    expect(desk.locator("#call-next")).to_be_enabled()
    desk.keyboard.press("n")  # the transferred ticket, in queue B
    expect(desk.locator("#no-show")).to_be_enabled()
    desk.keyboard.press("x")
    expect(desk.locator("#call-next")).to_be_enabled()
    desk.keyboard.press("n")

    message = desk.locator("#message")
    expect(message).to_have_text("Nobody is waiting.")
    expect(message).to_have_attribute("data-tone", "info")


def test_the_counter_offers_the_actions_the_server_lists_and_recall_only_twice(
    new_page, in_thread, screenshot, cash, counter, teller
):
    """The buttons follow the ticket's `actions`: once the server leaves out "recall" (a ticket
    recalled MAX_RECALLS times), Recall is off, on the live page and after a reload alike."""
    in_thread(factories.issue, cash, 2)
    desk = new_page(user=teller, **COUNTER_PC)
    desk.goto("/counter/GZ-TH01/1/")
    wait_until_live(desk)
    current = desk.locator("#current-ticket")
    buttons = {name: desk.locator(f"#{name}") for name in ["call-next", "recall", "start"]}
    buttons |= {name: desk.locator(f"#{name}") for name in ["finish", "no-show", "transfer"]}

    def offered(*enabled: str) -> None:
        for name, button in buttons.items():
            if name in enabled:
                expect(button).to_be_enabled()
            else:
                expect(button).to_be_disabled()

    offered("call-next")
    desk.keyboard.press("n")
    expect(current).to_have_attribute("data-status", "called")
    offered("recall", "start", "no-show", "transfer")

    desk.keyboard.press("r")
    expect(current.locator("[data-role=detail]")).to_contain_text("Recalls: 1")
    offered("recall", "start", "no-show", "transfer")
    desk.keyboard.press("r")

    expect(current.locator("[data-role=detail]")).to_contain_text("Recalls: 2")
    offered("start", "no-show", "transfer")
    desk.keyboard.press("r")  # a shortcut of a button that is off does nothing
    expect(desk.locator("#message")).to_be_empty()
    screenshot(desk, "recalled-twice")

    desk.reload()
    wait_until_live(desk)
    expect(current.locator("[data-role=detail]")).to_contain_text("Recalls: 2")
    offered("start", "no-show", "transfer")

    desk.keyboard.press("s")
    expect(current).to_have_attribute("data-status", "serving")
    offered("finish")
    desk.keyboard.press("f")
    expect(current).to_have_attribute("data-status", "idle")
    offered("call-next")


def test_the_board_offers_each_ticket_the_actions_the_server_lists(
    new_page, api_post, in_thread, branch, cash, non_cash, counter, teller, lobby_manager
):
    """A waiting ticket can be transferred or cancelled, a called one only transferred, one being
    served neither: as the tickets' `actions` say, live."""
    in_thread(factories.make_counter, branch, 2, [cash])
    serving, called, waiting = in_thread(factories.issue, cash, 3)
    api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    api_post(f"/api/tickets/{serving.token}/start/", user=teller)
    second_teller = factories.make_staff(branch, role="teller")
    status, answer = api_post("/api/branches/GZ-TH01/counters/2/call-next/", user=second_teller)
    assert (status, answer["number"], answer["actions"]) == (
        200,
        called.number,
        ["recall", "start", "no_show", "transfer"],
    )
    board = new_page(user=lobby_manager, **TABLET)
    board.goto("/lobby/GZ-TH01/")
    wait_until_live(board)

    def row_buttons(ticket):
        return board.locator(f"#tickets [data-token='{ticket.token}'] .row-actions button")

    expect(row_buttons(waiting)).to_have_text(["Transfer", "Cancel"])
    expect(row_buttons(called)).to_have_text(["Transfer"])
    expect(row_buttons(serving)).to_have_count(0)

    api_post(f"/api/tickets/{called.token}/start/", user=second_teller)

    expect(row_buttons(called)).to_have_count(0)
    expect(row_buttons(waiting)).to_have_text(["Transfer", "Cancel"])
