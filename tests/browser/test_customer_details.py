"""The details a customer notices on a phone, in English and in Chinese: times on the 24-hour
clock, amounts grouped in thousands, one product name, branches listed by city and name, a way to
a new ticket once a ticket is over, and an input error shown at its field, in view."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from queueing import services
from queueing.models import Appointment, Ticket
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True}
MOBILE = "13812345678"
LANGUAGES = {"en": "en-US", "zh": "zh-CN"}
PRODUCT = {"en": "Smart Branch", "zh": "智慧网点"}
# Whole words: a check-in code such as AMM75B is no time of day.
TWELVE_HOUR = re.compile(r"\b(?:AM|PM)\b|上午|下午|晚上|凌晨|中午")


def phone_page(new_page, language: str, **options):
    """A phone in `language` ("en" or "zh") whose clock is the branch's (Asia/Shanghai)."""
    return new_page(locale=LANGUAGES[language], timezone_id="Asia/Shanghai", **PHONE, **options)


def at(branch, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=branch.zone)


def today(branch):
    return branch.business_day(timezone.now())


def fully_in_view(locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["width"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= WIDTH
        and box["y"] + box["height"] <= HEIGHT
    )


@pytest.fixture
def large_cash(branch):
    return factories.make_service(
        branch,
        "D",
        name_en="Large cash withdrawal",
        name_zh="大额取现",
        appointment_capacity=2,
        reserves_cash=True,
    )


# 1. Times ------------------------------------------------------------------------------------


def served_in_the_afternoon(cash, counter, teller) -> Ticket:
    """A ticket taken at 14:30 today on the branch's clock, called at 14:42 and served."""
    branch = cash.branch
    ticket = services.ticket_issue(
        service=cash, channel=Ticket.Channel.REMOTE, now=at(branch, today(branch), 14, 30)
    )
    called = services.ticket_call_next(
        counter=counter, actor=teller, now=at(branch, today(branch), 14, 42)
    )
    assert called == ticket
    serving = services.ticket_start(
        ticket=called, actor=teller, now=at(branch, today(branch), 14, 43)
    )
    return services.ticket_finish(
        ticket=serving, actor=teller, now=at(branch, today(branch), 14, 50)
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_time_a_customer_reads_is_on_the_24_hour_clock(
    language, new_page, in_thread, screenshot, branch, cash, counter, teller, wealth
):
    tomorrow = today(branch) + timedelta(days=1)
    appointment = in_thread(
        services.appointment_book, service=wealth, start=at(branch, tomorrow, 14, 30), phone=MOBILE
    )
    ticket = in_thread(served_in_the_afternoon, cash, counter, teller)
    phone = phone_page(new_page, language)

    phone.goto("/branches/GZ-TH01/#book")
    book = phone.locator("#book-panel")
    book.locator("#book-services input[value=C] + label").tap()
    book.locator(f"[data-role=days] input[value='{tomorrow.isoformat()}'] + label").tap()
    afternoon = book.locator("[data-role=slots] label").filter(has_text="14:30")
    expect(afternoon).to_have_count(1)
    times = book.locator(".slot-option-time").all_inner_texts()
    assert "22:00" in times
    assert all(re.fullmatch(r"\d{2}:\d{2}", shown) for shown in times), times
    afternoon.tap()
    expect(phone.locator("#book-summary")).to_contain_text("14:30")
    expect(phone.locator("#updated")).to_have_text(re.compile(r"\d{2}:\d{2}$"))
    assert not TWELVE_HOUR.search(phone.locator("#updated").inner_text())
    afternoon.scroll_into_view_if_needed()
    screenshot(phone, f"slots-{language}")
    phone.locator("#book-summary").scroll_into_view_if_needed()
    screenshot(phone, f"summary-{language}")

    phone.goto(f"/a/{appointment.token}/")
    expect(phone.locator("#fact-time")).to_have_text("14:30–15:00")
    expect(phone.locator("#status-next")).to_contain_text("14:30")
    expect(phone.locator("#check-in-window")).to_contain_text("14:00")
    expect(phone.locator("#check-in-window")).to_contain_text("14:45")
    assert not TWELVE_HOUR.search(phone.locator("main").inner_text())
    screenshot(phone, f"appointment-{language}")

    phone.goto(f"/t/{ticket.token}/")
    expect(phone.locator("#ticket-issued")).to_have_text(
        {
            "en": "Taken at 14:30 · called at 14:42",
            "zh": "取号时间 14:30 · 叫号时间 14:42",
        }[language]
    )
    screenshot(phone, f"ticket-{language}")


# 2. Amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "amount_shown"),
    [
        pytest.param("en", r"CNY\s80,000\.00", id="en"),
        pytest.param("zh", r"80,000\.00 元", id="zh"),
    ],
)
def test_a_large_cash_amount_is_grouped_in_thousands(
    language, amount_shown, new_page, screenshot, branch, large_cash
):
    phone = phone_page(new_page, language)
    phone.goto("/branches/GZ-TH01/#book")
    book = phone.locator("#book-panel")
    book.locator("#book-services input[value=D] + label").tap()
    book.locator("[data-role=slots] label").filter(has_text="10:00").tap()
    book.locator("#book-phone").fill(MOBILE)
    amount = book.locator("#book-amount")
    summary = phone.locator("#book-summary")

    amount.fill("80000")

    expect(summary).to_contain_text(re.compile(amount_shown))
    amount.press("Tab")
    expect(amount).to_have_value("80,000")  # read back as the bank writes it

    amount.fill("80,000")  # typed with its separator: the same amount

    expect(summary).to_contain_text(re.compile(amount_shown))
    summary.scroll_into_view_if_needed()
    screenshot(phone, f"booking-{language}")
    book.locator("#book-submit").tap()

    expect(phone).to_have_url(re.compile(r"/a/[\w-]+/$"))
    booked = Appointment.objects.get()
    assert (booked.cash_amount, booked.cash_currency) == (Decimal("80000.00"), "CNY")
    expect(phone.locator("#fact-cash")).to_have_text(re.compile(f"^{amount_shown}$"))
    phone.locator("#fact-cash").scroll_into_view_if_needed()
    screenshot(phone, f"appointment-{language}")


# 3. The product's name -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_customer_page_names_the_product_alike(
    language, new_page, in_thread, screenshot, branch, cash, wealth
):
    (ticket,) = in_thread(factories.issue, cash)
    appointment = in_thread(
        services.appointment_book,
        service=wealth,
        start=at(branch, today(branch) + timedelta(days=1), 10),
        phone=MOBILE,
    )
    phone = phone_page(new_page, language)
    name = PRODUCT[language]

    for path in ["/", "/branches/GZ-TH01/", f"/t/{ticket.token}/", f"/a/{appointment.token}/"]:
        phone.goto(path)

        expect(phone.locator(".topbar .brand")).to_have_text(name)
        expect(phone).to_have_title(re.compile(f" · {name}$"))
    screenshot(phone, f"appointment-{language}")
    phone.goto(f"/t/{ticket.token}/")
    expect(phone.locator("#new-ticket")).to_be_hidden()  # a waiting ticket is not over
    screenshot(phone, f"ticket-{language}")


# 4. The finder's order -----------------------------------------------------------------------


@pytest.fixture
def three_branches(db):
    """Codes in the opposite order of city, then name (in either language)."""
    factories.make_branch(
        "AA-01",
        name_en="Futian Sub-branch",
        name_zh="福田支行",
        city_en="Shenzhen",
        city_zh="深圳",
        address_en="1 Fuhua Road, Futian, Shenzhen",
        address_zh="深圳市福田区福华路1号",
        latitude=Decimal("22.540000"),
        longitude=Decimal("114.055000"),
    )
    factories.make_branch("BB-02")  # Tianhe Sub-branch, Guangzhou: 天河 sorts after 海珠
    factories.make_branch(
        "CC-03",
        name_en="Haizhu Sub-branch",
        name_zh="海珠支行",
        address_en="3 Jiangnan Avenue, Haizhu, Guangzhou",
        address_zh="广州市海珠区江南大道3号",
        latitude=Decimal("23.090000"),
        longitude=Decimal("113.320000"),
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_finder_lists_branches_by_city_and_name_or_nearest_first(
    language, new_page, screenshot, three_branches
):
    phone = phone_page(
        new_page,
        language,
        geolocation={"latitude": 22.543, "longitude": 114.058},  # in Futian, Shenzhen
        permissions=["geolocation"],
    )
    phone.goto("/")
    cards = phone.locator("#branch-list > li")

    def order() -> list[str]:
        return cards.evaluate_all("cards => cards.map(card => card.dataset.code)")

    expect(cards).to_have_count(3)
    # Guangzhou before Shenzhen; in Guangzhou, Haizhu (海珠, hai) before Tianhe (天河, tian).
    assert order() == ["CC-03", "BB-02", "AA-01"]
    screenshot(phone, f"by-city-{language}")

    phone.locator("#near-me").tap()

    expect(phone.locator("#near-me")).to_have_attribute("aria-pressed", "true")
    expect(cards.first).to_have_attribute("data-code", "AA-01")
    assert order() == ["AA-01", "CC-03", "BB-02"]
    screenshot(phone, f"nearest-{language}")

    phone.locator("#near-me").tap()

    expect(cards.first).to_have_attribute("data-code", "CC-03")
    assert order() == ["CC-03", "BB-02", "AA-01"]


# 5. A new ticket once a ticket is over -------------------------------------------------------


def finished_as(status: str, cash, counter, teller) -> Ticket:
    if status == "done":
        (ticket,) = factories.issue(cash)
        called = services.ticket_call_next(counter=counter, actor=teller)
        serving = services.ticket_start(ticket=called, actor=teller)
        return services.ticket_finish(ticket=serving, actor=teller)
    if status == "cancelled":
        (ticket,) = factories.issue(cash)
        return services.ticket_cancel(ticket=ticket)
    if status == "no_show":
        (ticket,) = factories.issue(cash)
        called = services.ticket_call_next(counter=counter, actor=teller)
        return services.ticket_mark_no_show(ticket=called, actor=teller)
    assert status == "expired"
    branch = cash.branch
    yesterday = at(branch, today(branch) - timedelta(days=1), 12)
    (ticket,) = factories.issue(cash, now=yesterday)
    assert services.tickets_expire_after_closing() == 1
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.parametrize(
    ("status", "language"),
    [("done", "en"), ("cancelled", "zh"), ("no_show", "en"), ("expired", "zh")],
)
def test_a_ticket_that_is_over_leads_to_a_new_one_at_its_branch(
    status, language, new_page, in_thread, screenshot, cash, counter, teller
):
    ticket = in_thread(finished_as, status, cash, counter, teller)
    assert ticket.status == status
    phone = phone_page(new_page, language)
    phone.goto(f"/t/{ticket.token}/")
    expect(phone.locator("#ticket-status")).to_have_attribute("data-status", status)
    new_ticket = phone.get_by_role(
        "link", name={"en": "Take a new ticket", "zh": "重新取号"}[language]
    )
    expect(new_ticket).to_be_visible()
    expect(new_ticket).to_have_attribute("href", "/branches/GZ-TH01/")
    new_ticket.scroll_into_view_if_needed()
    screenshot(phone, f"{status}-{language}")

    new_ticket.tap()

    expect(phone).to_have_url(re.compile(r"/branches/GZ-TH01/$"))
    expect(phone.locator("#ticket-form")).to_be_visible()


# 6. An input error at its field, in view -----------------------------------------------------

INVALID_PHONE = {
    "en": "Enter a mobile number: 11 digits, or + and the country code for a foreign number.",
    "zh": "请输入手机号码：11 位数字；境外号码请以 + 和国家或地区代码开头。",
}


def expect_error_at_its_field(phone, field_id: str, message: str) -> None:
    """The field's own error (named by its aria-describedby) says `message`, the field is
    focused, and its label, input and error are all on the screen."""
    field = phone.locator(f"#{field_id}")
    error = phone.locator(f"#{field_id}-error")
    expect(error).to_have_text(message)
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(error).to_be_in_viewport(ratio=1)
    for part in (phone.locator(f"label[for={field_id}]"), field, error):
        assert fully_in_view(part), f"{part} is not on the screen: {part.bounding_box()}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_invalid_phone_is_shown_at_its_field_in_view(
    language, new_page, console_errors, screenshot, branch, cash, wealth
):
    console_errors.expect(r"status of 400")
    phone = phone_page(new_page, language)
    phone.goto("/branches/GZ-TH01/")
    tickets = phone.locator("#ticket-panel")
    tickets.locator("#ticket-services input[value=A] + label").tap()
    tickets.locator("#ticket-phone").fill("12345")
    tickets.locator("#ticket-submit").tap()

    expect_error_at_its_field(phone, "ticket-phone", INVALID_PHONE[language])
    screenshot(phone, f"ticket-{language}")
    assert Ticket.objects.count() == 0

    phone.locator("#choose-book").tap()
    book = phone.locator("#book-panel")
    book.locator("#book-services input[value=C] + label").tap()
    tomorrow = today(branch) + timedelta(days=1)
    book.locator(f"[data-role=days] input[value='{tomorrow.isoformat()}'] + label").tap()
    book.locator("[data-role=slots] label").filter(has_text="10:00").tap()
    book.locator("#book-phone").fill("12345")
    book.locator("#book-submit").tap()

    expect_error_at_its_field(phone, "book-phone", INVALID_PHONE[language])
    screenshot(phone, f"booking-{language}")
    assert Appointment.objects.count() == 0

    book.locator("#book-phone").fill(MOBILE)
    book.locator("#book-submit").tap()

    expect(phone).to_have_url(re.compile(r"/a/[\w-]+/$"))


def test_an_invalid_phone_after_the_quicker_branch_offer_is_shown_at_its_field(
    new_page, in_thread, console_errors, screenshot, branch
):
    console_errors.expect(r"status of 400")
    busy = factories.make_service(branch, "A", name_en="Cash", overtime_threshold_minutes=5)
    factories.make_counter(branch, 1, [busy], staffed=True)
    zhujiang = factories.make_branch(
        "GZ-ZJ02",
        name_en="Zhujiang New Town Sub-branch",
        latitude=Decimal("23.119000"),
        longitude=Decimal("113.321000"),
    )
    factories.make_counter(zhujiang, 1, [factories.make_service(zhujiang, "A")], staffed=True)
    in_thread(factories.issue, busy, 10)  # 50 minutes at the one open counter
    phone = phone_page(new_page, "en")
    phone.goto("/branches/GZ-TH01/")
    phone.locator("#ticket-phone").fill("12345")
    phone.locator("#ticket-submit").tap()
    offer = phone.get_by_role("region", name="The wait here is long")
    expect(offer).to_be_visible()

    offer.get_by_role("button", name="Stay here and take a ticket").tap()

    expect(offer).to_be_hidden()
    expect_error_at_its_field(phone, "ticket-phone", INVALID_PHONE["en"])
    screenshot(phone, "after-offer")
    assert Ticket.objects.filter(branch=branch).count() == 10
