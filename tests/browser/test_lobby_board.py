"""The lobby board on the lobby manager's tablet, held either way: the queues, the first of
today's tickets and every counter on the first screen; badges whole and uncovered; the over-time
tickets in Alerts; no panel for a feature that is not there; and a counter open without a teller
told apart from a staffed one."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from queueing import services
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEVICES = {
    "landscape": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "portrait": {"viewport": {"width": 768, "height": 1024}, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
BROWSERS = {"English": "en-US", "Chinese": "zh-CN"}
SIZES_AND_LANGUAGES = [
    ("landscape", "English"),
    ("landscape", "Chinese"),
    ("portrait", "English"),
    ("portrait", "Chinese"),
    ("desktop", "English"),
]
FIRST_ROWS = 3


def _zone_far_from_midnight() -> str:
    """A time zone where the local day is not about to turn, so that tickets issued minutes ago
    belong to today's queue (numbering restarts at local midnight)."""
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    return "Asia/Shanghai" if 1 <= hour <= 22 else "Europe/London"


@pytest.fixture
def branch(db):
    return factories.make_branch(time_zone=_zone_far_from_midnight())


@pytest.fixture
def lobby_manager(branch):
    return factories.make_staff(branch, role="lobby_manager")


# prefix, English and Chinese names, as the demo's services are called.
QUEUES = [
    ("A", "Cash", "现金业务"),
    ("B", "Non-cash", "非现金业务"),
    ("C", "Wealth management", "理财业务"),
    ("D", "Large cash withdrawal", "大额取款"),
    ("V", "Priority", "优先服务"),
]


def make_lobby(branch, *, queue_count: int = 3, counter_count: int = 4) -> list:
    """A branch's ordinary morning: `queue_count` queues (cash, non-cash, wealth management,
    then the demo's others), `counter_count` counters (two staffed, the third open with nobody
    at it, the others closed), fifteen tickets of which A001 is called at counter 2, and wealth
    management's four customers over time (its threshold is one minute; they came minutes
    ago). Returns those four, longest waiting first."""
    queues = [
        factories.make_service(
            branch,
            prefix,
            name_en=name_en,
            name_zh=name_zh,
            overtime_threshold_minutes=1 if prefix == "C" else 30,
        )
        for prefix, name_en, name_zh in QUEUES[:queue_count]
    ]
    cash, non_cash, wealth = queues[:3]
    tellers = [factories.make_staff(branch, role="teller") for _ in range(2)]
    # Counters serve several queues, as the demo's do: their badges need room.
    rows = [
        (queues, {"teller": tellers[0]}),
        ([cash, non_cash], {"teller": tellers[1]}),
        ([non_cash, wealth], {}),
        (queues, {"is_open": False}),
        ([cash, non_cash], {"is_open": False}),
        ([wealth], {"is_open": False}),
    ]
    counters = [
        factories.make_counter(branch, number, served, **fields)
        for number, (served, fields) in enumerate(rows[:counter_count], start=1)
    ]
    now = timezone.now()
    over_time = [
        factories.issue(wealth, now=now - timedelta(minutes=minutes))[0] for minutes in (5, 4, 3, 2)
    ]
    factories.issue(cash, 6)
    factories.issue(non_cash, 5)
    services.ticket_call_next(counter=counters[1], actor=tellers[1])
    return over_time


@pytest.fixture
def busy_lobby(in_thread, branch):
    return in_thread(make_lobby, branch)


def open_board(new_page, user, device: str, language: str = "English"):
    board = new_page(user=user, locale=BROWSERS[language], **DEVICES[device])
    board.goto("/lobby/GZ-TH01/")
    expect(board.locator("body")).to_have_attribute("data-live", "live")
    return board


def panel(board, content: str):
    """The board's panel (a <section>) holding `content`."""
    return board.locator("section", has=board.locator(content))


def overlap(one: dict, other: dict) -> bool:
    return (
        one["x"] < other["x"] + other["width"]
        and other["x"] < one["x"] + one["width"]
        and one["y"] < other["y"] + other["height"]
        and other["y"] < one["y"] + one["height"]
    )


def on_first_screen(box: dict, viewport: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


SEEN_AT_ITS_CENTRE = """
(item) => {
  const box = item.getBoundingClientRect();
  const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
  return item.contains(document.elementFromPoint(x, y));
}
"""

# The badges, pills and labels of the board, and whether each is whole: on one line of its own
# font (a pill squeezed into vertical letters is several lines tall), not cut off at its edge,
# and, where it is on screen, the topmost thing at its centre (no button over it).
BADGE_REPORT = """
() => {
  const lineHeight = (style) => style.lineHeight === "normal"
    ? 1.2 * parseFloat(style.fontSize) : parseFloat(style.lineHeight);
  const scroller = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (/(auto|scroll|hidden)/.test(getComputedStyle(parent).overflowY)) return parent;
    }
    return null;
  };
  const seen = (x, y, element) => {
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const clip = scroller(element)?.getBoundingClientRect();
    return !clip || (x > clip.left && x < clip.right && y > clip.top && y < clip.bottom);
  };
  const badges = ".board .pill, .board .prefix, .board .over-time-label, .board .counter-number";
  return [...document.querySelectorAll(badges)]
    .filter((badge) => badge.getClientRects().length)
    .map((badge) => {
      const box = badge.getBoundingClientRect();
      const style = getComputedStyle(badge);
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      const top = seen(x, y, badge) ? document.elementFromPoint(x, y) : null;
      return {
        text: badge.textContent.trim(),
        lines: box.height / lineHeight(style),
        cut: badge.scrollWidth > badge.clientWidth + 1,
        covered: top !== null && !badge.contains(top),
        coveredBy: top && !badge.contains(top) ? top.outerHTML.slice(0, 80) : null,
      };
    });
}
"""

# Words that must show whole: a label cut off with an ellipsis or clipped at its box hides
# what it says (Chinese most of all, where a few characters are the whole word).
LABEL_REPORT = """
() => [...document.querySelectorAll(
    ".board .queue-name, .board .figure dt, .board .figure dd, .board .service-name,"
    + " .board .panel-head h2, .board .panel-count, .board .alert-items li"
  )]
  .filter((label) => label.getClientRects().length)
  .filter((label) => label.scrollWidth > label.clientWidth + 1)
  .map((label) => label.textContent.trim())
"""


def assert_every_badge_whole_and_uncovered(board) -> None:
    """No pill or badge in vertical letters, cut off or under a button, and no label cut off."""
    badges = board.evaluate(BADGE_REPORT)
    assert len(badges) > 30, badges  # the queues', tickets' and counters' badges are all there
    broken = [badge["text"] for badge in badges if badge["lines"] >= 2]
    assert not broken, f"badges in vertical letters or on several lines: {broken}"
    cut = [badge["text"] for badge in badges if badge["cut"]]
    assert not cut, f"badges cut off: {cut}"
    covered = [(badge["text"], badge["coveredBy"]) for badge in badges if badge["covered"]]
    assert not covered, f"badges under something else: {covered}"
    assert board.evaluate(LABEL_REPORT) == [], "labels cut off"


def assert_first_screen_shows_queues_first_tickets_and_counters(board, counter_count: int) -> None:
    """The queues, the first ticket rows and every counter lie within the first screen, no
    panel on another, no counter card on another, and the page does not scroll sideways."""
    viewport = board.viewport_size
    rows = board.locator("#tickets tbody tr")
    counters = board.locator("#counters > li")
    expect(counters).to_have_count(counter_count)
    panels = {
        "queues": panel(board, "#queues").bounding_box(),
        "tickets": panel(board, "#tickets").bounding_box(),
        "counters": panel(board, "#counters").bounding_box(),
        "alerts": panel(board, "#alerts").bounding_box(),
    }
    counter_boxes = [counters.nth(n).bounding_box() for n in range(counter_count)]
    first_screen = {
        "the queues": panels["queues"],
        **{f"ticket row {n + 1}": rows.nth(n).bounding_box() for n in range(FIRST_ROWS)},
        **{f"counter {n + 1}": box for n, box in enumerate(counter_boxes)},
    }
    off_screen = [name for name, box in first_screen.items() if not on_first_screen(box, viewport)]
    assert not off_screen, f"below or beside the first screen of {viewport}: {off_screen}"
    # Within the screen is not enough: a row or a card scrolled out of its panel is not seen.
    seen = [rows.nth(n) for n in range(FIRST_ROWS)]
    seen += [counters.nth(n) for n in range(counter_count)]
    hidden = [item.text_content() for item in seen if not item.evaluate(SEEN_AT_ITS_CENTRE)]
    assert not hidden, f"hidden in their panel or under another: {hidden}"
    overlapping = [
        (one, other)
        for one, first in panels.items()
        for other, second in panels.items()
        if one < other and overlap(first, second)
    ]
    assert not overlapping, f"panels on top of each other: {overlapping}"
    assert not any(
        overlap(one, other)
        for n, one in enumerate(counter_boxes)
        for other in counter_boxes[n + 1 :]
    ), f"counter cards on top of each other: {counter_boxes}"
    assert board.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
        "the page scrolls sideways"
    )


@pytest.mark.parametrize(("device", "language"), SIZES_AND_LANGUAGES)
def test_the_first_screen_shows_the_queues_the_first_tickets_and_every_counter(
    new_page, screenshot, busy_lobby, lobby_manager, device, language
):
    board = open_board(new_page, lobby_manager, device, language)
    expect(board.locator("#tickets tbody tr")).to_have_count(15)
    screenshot(board, "first-screen")

    assert_first_screen_shows_queues_first_tickets_and_counters(board, counter_count=4)


@pytest.mark.parametrize(
    ("device", "language"), [("landscape", "English"), ("portrait", "Chinese")]
)
def test_a_branch_with_the_demos_five_queues_and_five_counters_fits_the_first_screen_too(
    new_page, in_thread, screenshot, branch, lobby_manager, device, language
):
    in_thread(make_lobby, branch, queue_count=5, counter_count=5)
    board = open_board(new_page, lobby_manager, device, language)
    expect(board.locator("#queues > li")).to_have_count(5)
    expect(board.locator("#tickets tbody tr")).to_have_count(15)
    screenshot(board, "first-screen")

    assert_first_screen_shows_queues_first_tickets_and_counters(board, counter_count=5)
    assert_every_badge_whole_and_uncovered(board)


@pytest.mark.parametrize(("device", "language"), SIZES_AND_LANGUAGES)
def test_every_badge_on_the_board_is_whole_and_no_button_covers_one(
    new_page, busy_lobby, lobby_manager, device, language
):
    board = open_board(new_page, lobby_manager, device, language)
    expect(board.locator("#tickets tbody tr")).to_have_count(15)
    expect(board.locator("#counters > li")).to_have_count(4)

    assert_every_badge_whole_and_uncovered(board)


def test_the_tickets_the_board_flags_over_time_are_the_ones_listed_in_alerts(
    new_page, screenshot, busy_lobby, lobby_manager
):
    over_time = [ticket.number for ticket in busy_lobby]
    board = open_board(new_page, lobby_manager, "landscape")
    alerts = board.locator("#alerts")
    flagged = board.locator("#tickets tbody tr.is-over-time [data-role=number]")
    expect(flagged).to_have_text(over_time)

    listed = alerts.locator("li")

    expect(listed).to_have_count(4)
    expect(alerts.get_by_text("No alerts right now.")).to_be_hidden()
    expect(panel(board, "#alerts").locator("[data-role=alerts-count]")).to_have_text("4 over time")
    expect(listed.locator("[data-role=number]")).to_have_text(over_time)
    longest = listed.first
    expect(longest).to_contain_text("Wealth management")
    expect(longest.locator("[data-role=waited]")).to_have_text(re.compile(r"^[5-9]$"))
    expect(longest).to_contain_text(re.compile(r"Waited [5-9] min"))
    screenshot(board, "alerts")


def test_alerts_follow_the_tickets_as_they_turn_over_time_and_are_called_or_cancelled(
    new_page, api_post, in_thread, screenshot, branch, lobby_manager
):
    """The ticket's moment (`over_time_at`) passes with no message from the socket: the alert
    appears then, in the page's language; it goes once the ticket is called or cancelled."""
    quick = in_thread(
        factories.make_service, branch, "A", name_zh="现金", overtime_threshold_minutes=1
    )
    in_thread(factories.make_service, branch, "B", name_zh="非现金")
    teller = factories.make_staff(branch, role="teller")
    in_thread(factories.make_counter, branch, 1, [quick], teller=teller)
    first, second = in_thread(factories.issue, quick, 2)
    board = new_page(user=lobby_manager, locale="zh-CN", **DEVICES["portrait"])
    board.clock.install()
    board.goto("/lobby/GZ-TH01/")
    expect(board.locator("body")).to_have_attribute("data-live", "live")
    alerts = board.locator("#alerts")
    listed = alerts.locator("li")
    nothing_to_report = alerts.get_by_text("目前没有提醒。")
    expect(nothing_to_report).to_be_visible()
    expect(listed).to_have_count(0)

    board.clock.fast_forward("01:30")

    expect(nothing_to_report).to_be_hidden()
    expect(listed.locator("[data-role=number]")).to_have_text(["A001", "A002"])
    expect(listed.first).to_contain_text("现金")
    expect(listed.first).to_contain_text("已等候 1 分钟")
    screenshot(board, "over-time")

    status, called = api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    assert (status, called["number"]) == (200, first.number)
    expect(listed.locator("[data-role=number]")).to_have_text(["A002"])

    api_post(f"/api/tickets/{second.token}/cancel/", user=lobby_manager)
    expect(listed).to_have_count(0)
    expect(nothing_to_report).to_be_visible()


def test_the_board_shows_no_panel_for_kiosk_carts_or_umbrellas_which_send_nothing_yet(
    new_page, busy_lobby, lobby_manager
):
    board = open_board(new_page, lobby_manager, "landscape")
    expect(board.locator("#tickets tbody tr")).to_have_count(15)

    headings = board.locator(".board h2")

    expect(headings).to_have_text(["Queues", "Alerts", "Tickets today", "Counters"])
    expect(board.get_by_text("Kiosk carts to review")).to_have_count(0)
    expect(board.get_by_text("Umbrella", exact=False)).to_have_count(0)
    expect(board.locator("#carts, #umbrellas")).to_have_count(0)


@pytest.mark.parametrize(
    ("language", "unstaffed", "staffed", "closed", "figure"),
    [
        ("English", "Open · unstaffed", "Open", "Closed", "2 of 4 open"),
        ("Chinese", "已开放·无人值守", "开放中", "已关闭", "开放 2/4"),
    ],
)
def test_an_open_counter_without_a_teller_reads_unstaffed_and_is_not_counted_open(
    new_page, busy_lobby, lobby_manager, language, unstaffed, staffed, closed, figure
):
    board = open_board(new_page, lobby_manager, "portrait", language)
    counter = {n: board.locator(f'#counters [data-counter="{n}"]') for n in range(1, 5)}
    state = {n: counter[n].locator("[data-role=state]") for n in range(1, 5)}

    expect(state[3]).to_have_text(unstaffed)
    expect(state[3]).to_have_class(re.compile(r"\bunstaffed\b"))
    expect(state[1]).to_have_text(staffed)
    expect(state[2]).to_have_text(staffed)
    expect(state[4]).to_have_text(closed)
    expect(board.locator("[data-role=counters-count]")).to_have_text(figure)

    # Opened by the lobby manager, who does not sit at it: open, and still nobody serves there.
    counter[4].locator("button[data-action=toggle]").click()

    expect(state[4]).to_have_text(unstaffed)
    expect(board.locator("[data-role=counters-count]")).to_have_text(figure)
