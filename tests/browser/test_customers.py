"""The customer's pages on a phone: finding a branch, booking an appointment, taking a ticket from
afar and being called, a quicker branch offered before a long wait, rating the visit, and the
same pages in Chinese."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from queueing import selectors, services
from queueing.appointment_files import appointment_qr_png
from queueing.models import Appointment, AppointmentSlot, Ticket
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CALLED_WITHIN_MS = 2000
MOBILE = "13812345678"
MASKED_MOBILE = "138****5678"


def wait_until_live(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")


def tomorrow_at(branch, hour: int) -> datetime:
    """`hour` o'clock tomorrow on the branch's clock."""
    tomorrow = branch.business_day(timezone.now()) + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour), tzinfo=branch.zone)


def served(service, counter, teller) -> Ticket:
    """A ticket issued, called, served and finished at `counter`."""
    (ticket,) = factories.issue(service)
    called = services.ticket_call_next(counter=counter, actor=teller)
    assert called == ticket
    serving = services.ticket_start(ticket=called, actor=teller)
    return services.ticket_finish(ticket=serving, actor=teller)


@pytest.fixture
def shantou_branch(db):
    return factories.make_branch(
        "ST-JP02",
        name_zh="金平支行",
        name_en="Jinping Sub-branch",
        city_zh="汕头",
        city_en="Shantou",
        address_zh="汕头市金平区金砂路8号",
        address_en="8 Jinsha Road, Jinping, Shantou",
        latitude=Decimal("23.367000"),
        longitude=Decimal("116.682000"),
    )


def test_a_customer_finds_a_branch_and_books_an_appointment(
    new_page, screenshot, branch, cash, wealth, shantou_branch
):
    phone = new_page(accept_downloads=True, **PHONE)
    phone.goto("/")
    cards = phone.locator("#branch-list > li")
    expect(cards).to_have_count(2)

    phone.get_by_role("searchbox", name="Search").fill("tianh")

    expect(cards).to_have_count(1)
    expect(phone.locator("#result-count")).to_have_text("1 branch")
    expect(cards).to_contain_text("Tianhe Sub-branch")
    expect(phone).to_have_url(re.compile(r"\?q=tianh$"))
    phone.get_by_role("link", name="Tianhe Sub-branch").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Tianhe Sub-branch")
    book = phone.locator("#book-panel")
    phone.get_by_role("button", name="Book an appointment").tap()
    expect(book).to_be_visible()
    expect(phone.locator("#ticket-panel")).to_be_hidden()
    book.get_by_label("Wealth management").check()
    ten_tomorrow = tomorrow_at(branch, 10)
    day = f"{ten_tomorrow:%A, %B} {ten_tomorrow.day}, {ten_tomorrow.year}"  # as a reader says it
    book.get_by_role("radio", name=day).check()
    book.get_by_label("10:00").check()
    expect(book.get_by_label("10:00")).to_be_checked()
    expect(book.locator("label").filter(has_text="10:00")).to_contain_text("2 places left")
    expect(phone.locator("#book-summary")).to_contain_text("Wealth management,")
    expect(phone.locator("#book-summary")).to_contain_text("at 10:00")
    book.get_by_label("Mobile number").fill(MOBILE)
    book.get_by_label("Name").fill("Li Lei")
    phone.locator("#book-summary").scroll_into_view_if_needed()
    screenshot(phone, "booking")
    book.get_by_role("button", name="Book this time").tap()

    expect(phone).to_have_url(re.compile(r"/a/[\w-]+/$"))
    appointment = Appointment.objects.get()  # one, and only one
    assert phone.url.endswith(f"/a/{appointment.token}/")
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.starts_at == ten_tomorrow
    assert (appointment.service, appointment.phone, appointment.name) == (
        wealth,
        MOBILE,
        "Li Lei",
    )
    assert AppointmentSlot.objects.get().booked == 1
    expect(phone.locator("#appt-status")).to_have_attribute("data-status", "booked")
    expect(phone.locator("#status-label")).to_have_text("Booked")
    expect(phone.locator("#check-in-code")).to_have_text(appointment.code)
    expect(phone.locator("#fact-service")).to_have_text("Wealth management")
    expect(phone.locator("#fact-time")).to_have_text("10:00–10:30")
    expect(phone.locator("#fact-phone")).to_have_text(MASKED_MOBILE)
    expect(phone.locator("#fact-name")).to_have_text("L* L**")
    qr = phone.get_by_role("img", name=f"QR code for check-in code {appointment.code}")
    expect(qr).to_be_visible()
    phone.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=qr.element_handle()
    )
    assert MOBILE not in phone.locator("body").inner_text()
    assert MOBILE not in phone.content()
    screenshot(phone, "appointment")

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Add to calendar").tap()

    download = download_info.value
    assert download.suggested_filename == f"appointment-GZ-TH01-{appointment.code}.ics"
    ics = download.path().read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert f"UID:{appointment.token}@branchsite" in ics
    assert "DTSTART" in ics
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == appointment.starts_at


def test_a_customer_takes_a_ticket_on_the_way_and_their_phone_shows_the_call(
    new_page, api_post, in_thread, screenshot, cash, counter, teller
):
    in_thread(factories.issue, cash)  # A001, someone already in the branch
    phone = new_page(**PHONE)
    phone.goto("/branches/GZ-TH01/")
    phone.get_by_role("button", name="Take a ticket now").tap()
    tickets = phone.locator("#ticket-panel")
    tickets.get_by_label(re.compile("Cash")).check()  # not "Non-cash"
    tickets.get_by_label("Your travel time to the branch").fill("15")
    tickets.get_by_role("button", name="Take a ticket", exact=True).tap()

    expect(phone).to_have_url(re.compile(r"/t/[\w-]+/$"))
    wait_until_live(phone)
    mine = Ticket.objects.get(number="A002")
    assert phone.url.endswith(f"/t/{mine.token}/")
    expect(phone.locator("#ticket-number")).to_have_text("A002")
    expect(phone.locator("#ticket-status")).to_have_text("Waiting")
    expect(phone.locator("#position")).to_have_text("Position 2")
    expect(phone.get_by_label("How many minutes do you need")).to_have_value("15")
    expect(phone.locator("#set-off")).to_have_text("Leave now")
    cancel = phone.get_by_role("button", name="Cancel my ticket")
    expect(cancel).to_be_visible()  # the server's `can_cancel`, while it waits
    screenshot(phone, "waiting")

    status, first = api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)

    assert (status, first["number"]) == (200, "A001")
    expect(phone.locator("#position")).to_have_text("Position 1")
    expect(phone.locator("#called-overlay")).to_be_hidden()
    for step in ("start", "finish"):  # the counter serves A001 before it calls again
        api_post(f"/api/tickets/{first['token']}/{step}/", user=teller)

    status, second = api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)

    assert (status, second["number"]) == (200, "A002")
    called = phone.get_by_role("alertdialog", name="It is your turn")
    expect(called).to_be_visible(timeout=CALLED_WITHIN_MS)
    expect(called.locator("#called-counter")).to_have_text("Please go to counter 1")
    expect(called).to_contain_text("A002")
    expect(phone.locator("#ticket-status")).to_have_text("Called: please go to counter 1")
    expect(cancel).to_be_hidden()
    screenshot(phone, "called")


def test_the_quicker_branch_offer_names_the_wait_here_as_it_is_now(
    new_page, in_thread, api_post, branch
):
    busy = factories.make_service(branch, "A", name_en="Cash", overtime_threshold_minutes=5)
    counter = factories.make_counter(branch, 1, [busy], staffed=True)
    zhujiang = factories.make_branch(
        "GZ-ZJ02",
        name_en="Zhujiang New Town Sub-branch",
        latitude=Decimal("23.119000"),
        longitude=Decimal("113.321000"),
    )
    factories.make_counter(zhujiang, 1, [factories.make_service(zhujiang, "A")], staffed=True)
    in_thread(factories.issue, busy, 9)
    (mine,) = in_thread(factories.issue, busy)  # 45 minutes at the one counter
    phone = new_page(**PHONE)
    phone.goto(f"/t/{mine.token}/")
    lead = phone.locator("#shorter-lead")
    expect(lead).to_contain_text("about 45 min")

    for _ in range(2):  # two customers served quickly: the wait here falls
        status, called = api_post(
            f"/api/branches/GZ-TH01/counters/{counter.number}/call-next/", user=counter.teller
        )
        assert status == 200
        for step in ("start", "finish"):
            api_post(f"/api/tickets/{called['token']}/{step}/", user=counter.teller)
    # Once both serves reached the page (the server's figure now), the offer names the same.
    minutes = in_thread(selectors.ticket_progress, mine).estimated_wait_minutes
    expect(phone.locator("#estimate")).to_have_text(f"About {minutes} min")
    expect(lead).to_contain_text(f"about {minutes} min")


def test_after_a_reschedule_the_qr_card_and_the_calendar_file_show_the_new_time(
    new_page, in_thread, screenshot, branch, wealth
):
    booked = in_thread(
        services.appointment_book, service=wealth, start=tomorrow_at(branch, 10), phone=MOBILE
    )
    phone = new_page(accept_downloads=True, **PHONE)
    phone.goto(f"/a/{booked.token}/")
    qr = phone.locator("#qr")
    old_card = qr.get_attribute("src")

    phone.get_by_role("button", name="Change the time").tap()
    moving = phone.locator("#reschedule-when")
    tomorrow = tomorrow_at(branch, 11).date().isoformat()
    moving.locator(f"[data-role=days] input[value='{tomorrow}'] + label").tap()
    moving.locator("[data-role=slots] label").filter(has_text="11:00").first.tap()
    phone.locator("#reschedule-confirm").tap()

    notice = phone.locator("#appt-notice")
    expect(notice).to_contain_text("add it again")
    expect(qr).not_to_have_attribute("src", old_card)
    phone.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=qr.element_handle()
    )
    moved = Appointment.objects.get()
    assert moved.starts_at == tomorrow_at(branch, 11)
    # The page shows the card as it is drawn now, not the one cached before the move.
    shown = phone.request.get(qr.get_attribute("src")).body()
    assert shown == in_thread(appointment_qr_png, moved)
    screenshot(phone, "moved")

    with phone.expect_download() as download_info:
        notice.get_by_role("link", name="Add the new time to your calendar").tap()
    (event,) = Calendar.from_ical(download_info.value.path().read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == tomorrow_at(branch, 11)
    assert (str(event["uid"]), event["sequence"]) == (f"{booked.token}@branchsite", 1)


def test_a_long_queue_offers_a_quicker_branch_nearby_before_the_ticket_is_taken(
    new_page, in_thread, screenshot, branch
):
    busy = factories.make_service(branch, "A", name_en="Cash", overtime_threshold_minutes=5)
    factories.make_counter(branch, 1, [busy], staffed=True)
    zhujiang = factories.make_branch(
        "GZ-ZJ02",
        name_zh="珠江新城支行",
        name_en="Zhujiang New Town Sub-branch",
        address_en="5 Huacheng Avenue, Tianhe, Guangzhou",
        latitude=Decimal("23.119000"),
        longitude=Decimal("113.321000"),
    )
    quiet = factories.make_service(zhujiang, "A", name_en="Cash")
    factories.make_counter(zhujiang, 1, [quiet], staffed=True)
    in_thread(factories.issue, busy, 10)  # 50 minutes at the one open counter
    in_thread(factories.issue, quiet)
    phone = new_page(**PHONE)
    # The server says which waits are long (`over_threshold`); both pages mark them.
    phone.goto("/")
    expect(phone.locator("[data-code=GZ-TH01] .branch-wait[data-long]")).to_have_count(1)
    expect(phone.locator("[data-code=GZ-ZJ02] .branch-wait[data-long]")).to_have_count(0)
    phone.goto("/branches/GZ-TH01/")
    expect(phone.locator("#waits")).to_contain_text("10 waiting · about 50 min")
    expect(phone.locator("#waits .wait-item[data-long]")).to_have_count(1)
    screenshot(phone, "long-wait")

    phone.get_by_role("button", name="Take a ticket", exact=True).tap()

    offer = phone.get_by_role("region", name="The wait here is long")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Cash: about 50 min here.")
    expect(phone.locator("#ticket-form")).to_be_hidden()
    there = offer.get_by_role("listitem").filter(has_text="Zhujiang New Town Sub-branch")
    expect(there).to_contain_text("about 5 min · 1 waiting")
    screenshot(phone, "offer")
    there.get_by_role("button", name="Take a ticket there instead").tap()

    expect(phone).to_have_url(re.compile(r"/t/[\w-]+/$"))
    expect(phone.locator(".ticket-branch")).to_have_text("Zhujiang New Town Sub-branch")
    expect(phone.locator("#ticket-number")).to_have_text("A002")
    expect(phone.locator("#position")).to_have_text("Position 2")
    mine = Ticket.objects.get(token=phone.url.rstrip("/").rsplit("/", 1)[-1])
    assert (mine.branch, mine.number, mine.status) == (zhujiang, "A002", "waiting")
    assert Ticket.objects.filter(branch=branch).count() == 10


def test_a_finished_ticket_asks_for_a_rating_once(
    new_page, in_thread, screenshot, cash, counter, teller
):
    ticket = in_thread(served, cash, counter, teller)
    phone = new_page(**PHONE)
    phone.goto(f"/t/{ticket.token}/")
    expect(phone.locator("#ticket-status")).to_have_text("Done")
    rating = phone.get_by_role("region", name="How was your visit?")
    expect(rating).to_be_visible()

    rating.locator("label").filter(has_text="4 stars: good").tap()
    expect(rating.locator("#rating-word")).to_have_text("Good")
    rating.get_by_label("Anything to tell us?").fill("Quick and friendly.")
    screenshot(phone, "rating")
    rating.get_by_role("button", name="Send my rating").tap()

    thanks = phone.get_by_role("heading", name="Thank you for your rating")
    expect(thanks).to_be_visible()
    expect(phone.locator("#rating-form")).to_be_hidden()
    expect(phone.locator("#rating-given")).to_contain_text("4 stars out of 5")
    expect(phone.locator("#rating-given")).to_contain_text("Quick and friendly.")
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (4, "Quick and friendly.")

    phone.reload()

    expect(thanks).to_be_visible()
    expect(phone.locator("#rating-given")).to_contain_text("4 stars out of 5")
    expect(phone.locator("#rating-given")).to_contain_text("Quick and friendly.")
    expect(phone.locator("#rating-form")).to_have_count(0)
    expect(phone.get_by_role("button", name="Send my rating")).to_have_count(0)
    screenshot(phone, "rated")


def test_the_rating_appears_once_the_ticket_is_served_while_its_page_is_open(
    new_page, api_post, in_thread, cash, counter, teller
):
    (ticket,) = in_thread(factories.issue, cash)
    phone = new_page(**PHONE)
    phone.goto(f"/t/{ticket.token}/")
    wait_until_live(phone)
    rating = phone.locator("#rating")
    expect(rating).to_be_hidden()

    api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    api_post(f"/api/tickets/{ticket.token}/start/", user=teller)
    expect(rating).to_be_hidden()
    status, _ = api_post(f"/api/tickets/{ticket.token}/finish/", user=teller)

    assert status == 200
    expect(phone.locator("#ticket-status")).to_have_text("Done")
    expect(phone.get_by_role("region", name="How was your visit?")).to_be_visible()
    expect(phone.locator("#rating-given")).to_be_hidden()


def test_the_finder_and_the_branch_page_speak_chinese_to_a_chinese_phone(
    new_page, in_thread, screenshot, branch, cash, counter, wealth, shantou_branch
):
    in_thread(factories.issue, cash, 2)
    phone = new_page(locale="zh-CN", **PHONE)
    phone.goto("/")

    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.locator(".topbar .brand")).to_have_text("智慧网点")
    expect(phone.locator("#finder-city")).to_contain_text("广州")
    phone.locator("#finder-q").fill("天河")
    cards = phone.locator("#branch-list > li")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("天河支行")
    expect(cards).to_contain_text("广州市天河区天河路1号")
    expect(cards).to_contain_text("现金")
    expect(cards).to_contain_text("2 人等候")
    screenshot(phone, "finder")
    phone.get_by_role("link", name="天河支行").tap()

    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.get_by_role("heading", level=1)).to_have_text("天河支行")
    expect(phone.locator(".branch-kicker")).to_have_text("广州 · GZ-TH01")
    expect(phone.locator("#waits")).to_contain_text("现金")
    expect(phone.locator("#waits")).to_contain_text("2 人等候 · 约 10 分钟")
    expect(phone.locator("#ticket-panel")).to_contain_text("分钟")
    booking_tab = phone.locator("#choose-book")
    expect(booking_tab).to_contain_text("预约")
    booking_tab.tap()
    book = phone.locator("#book-panel")
    expect(book).to_be_visible()
    expect(book.locator("#book-services")).to_contain_text("理财")
    # Dates come from the browser in the page's language, whatever the catalogue holds.
    first_day = book.locator("[data-role=days] input").first
    expect(first_day).to_have_attribute("aria-label", re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日星期"))
    # Tomorrow has all its times, whatever the hour (late at night, today has none left).
    book.locator("[data-role=days] input").nth(1).locator("+ label").tap()
    expect(book.locator("[data-role=slots] input").first).to_be_attached()  # the times came
    screenshot(phone, "booking")


def offered_days(picker) -> list[date]:
    days = picker.locator("[data-role=days] input").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    return [date.fromisoformat(day) for day in days]


def window_days(service, *, closed_on: int | None = None) -> list[date]:
    """The days of the server's booking window for `service` on which its branch opens."""
    window = selectors.booking_window(service=service, now=timezone.now())
    length = (window.last_day - window.first_day).days + 1
    days = [window.first_day + timedelta(days=n) for n in range(length)]
    return [day for day in days if day.weekday() != closed_on]


def test_the_day_picker_offers_the_servers_booking_window_on_the_open_days(
    new_page, screenshot, in_thread
):
    """The branch page and the appointment page offer exactly the days of the server's booking
    window (tomorrow on for a large cash withdrawal, today on otherwise), less the weekdays the
    branch is closed; the page works none of it out."""
    today = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # the branch's day
    closed_on = (today + timedelta(days=2)).weekday()
    branch = factories.make_branch(weekdays=[day for day in range(7) if day != closed_on])
    wealth = factories.make_service(
        branch, "C", name_en="Wealth management", appointment_capacity=2
    )
    large_cash = factories.make_service(
        branch, "D", name_en="Large cash withdrawal", appointment_capacity=2, reserves_cash=True
    )
    phone = new_page(**PHONE)
    phone.goto("/branches/GZ-TH01/")
    phone.get_by_role("button", name="Book an appointment").tap()
    book = phone.locator("#book-panel")

    book.get_by_label("Wealth management").check()

    days = offered_days(book)
    assert days == window_days(wealth, closed_on=closed_on)
    assert days[0] == today
    assert today + timedelta(days=2) not in days

    book.get_by_label("Large cash withdrawal").check()

    expect(book.locator("[data-role=days] input").first).to_have_value(
        (today + timedelta(days=1)).isoformat()
    )
    days = offered_days(book)
    assert days == window_days(large_cash, closed_on=closed_on)
    assert days[0] == today + timedelta(days=1)
    expect(book.locator("[data-role=days] label").first).to_contain_text("Tomorrow")
    expect(phone.locator("#cash-ahead")).to_be_visible()
    expect(book.locator("[data-role=slots] input").first).to_be_attached()  # the times came
    book.locator("#book-when legend").first.scroll_into_view_if_needed()
    screenshot(phone, "large-cash-days")

    appointment = in_thread(
        services.appointment_book,
        service=large_cash,
        start=tomorrow_at(branch, 10),
        phone=MOBILE,
        cash_amount=Decimal("80000"),
        cash_currency="CNY",
    )
    phone.goto(f"/a/{appointment.token}/")
    phone.get_by_role("button", name="Change the time").tap()
    reschedule = phone.locator("#reschedule-when")
    expect(reschedule.locator("[data-role=slots] input").first).to_be_attached()

    assert offered_days(reschedule) == window_days(large_cash, closed_on=closed_on)
