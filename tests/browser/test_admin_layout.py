"""Head office's admin on its 1366×768 PC, in Chinese: a branch's page (its opening hours,
services and counters) and the list of branches fit the screen's width, with nothing to scroll
sideways, and read in Chinese, what the admin's scripts add included."""

import pytest
from django.conf import settings

from queueing.models import Branch
from tests import factories
from tests.browser.conftest import HOST
from tests.queueing.test_admin_chinese import english_words

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OFFICE_PC = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
INLINES = ("#opening_hours-group", "#services-group", "#counters-group")

# prefix, English and Chinese names, as the demo's services are called: the longest names a
# branch's page shows.
QUEUES = [
    ("A", "Cash", "现金业务"),
    ("B", "Non-cash", "非现金业务"),
    ("C", "Wealth management", "理财业务"),
    ("D", "Large cash withdrawal", "大额取款"),
    ("V", "Priority", "优先服务"),
]


def make_branch_as_configured() -> tuple[Branch, object]:
    """A branch set up as the demo's are: every weekday's hours, five services, four counters
    serving several each, three of them staffed; and head office, signed in with its second
    factor."""
    branch = factories.make_branch(
        name_en="Tianhe Road Sub-branch, Guangzhou",
        address_en="Ground floor, 385 Tianhe Road North, Tianhe District, Guangzhou",
    )
    services = [
        factories.make_service(
            branch,
            prefix,
            name_en=name_en,
            name_zh=name_zh,
            appointment_capacity=2 if prefix in "CD" else 0,
            reserves_cash=prefix == "D",
        )
        for prefix, name_en, name_zh in QUEUES
    ]
    for number in range(1, 5):
        teller = factories.make_staff(branch, username=f"teller-{number}") if number < 4 else None
        factories.make_counter(branch, number, services[: 6 - number], teller=teller)
    return branch, factories.signed_in(factories.make_head_office("head", administrator=True))


@pytest.fixture
def head_office_page(new_page, in_thread):
    """A page of head office's PC, signed in (second factor passed) with Chinese chosen."""
    branch, client = in_thread(make_branch_as_configured)
    page = new_page(**HEAD_OFFICE_PC)
    page.context.add_cookies(
        [
            {"name": name, "value": value, "domain": HOST, "path": "/"}
            for name, value in (
                (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value),
                (settings.LANGUAGE_COOKIE_NAME, "zh-hans"),
            )
        ]
    )
    return page, branch


def sideways_overflow(page) -> dict:
    """How far the page, and each inline table, reach past the window's right edge (0: not)."""
    return page.evaluate(
        """(inlines) => {
            const width = window.innerWidth;
            const past = (element) => element
                ? Math.max(0, Math.ceil(element.getBoundingClientRect().right - width)) : null;
            const reach = {page: document.documentElement.scrollWidth - width};
            for (const selector of inlines) {
                reach[selector] = past(document.querySelector(selector));
                reach[selector + " table"] = past(document.querySelector(selector + " table"));
            }
            return reach;
        }""",
        list(INLINES),
    )


def test_a_branchs_page_fits_head_offices_screen_in_chinese(server, head_office_page, screenshot):
    page, branch = head_office_page
    page.goto(f"/admin/queueing/branch/{branch.pk}/change/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#counters-group tbody tr.has_original").count() == 4
    screenshot(page, "branch-top")
    for selector in INLINES:
        page.locator(selector).scroll_into_view_if_needed()
        screenshot(page, "branch-" + selector.strip("#").removesuffix("-group"))
    whole = screenshot(page, "branch-whole")
    page.screenshot(path=whole, full_page=True)  # the same file, the page's whole length

    reach = sideways_overflow(page)
    assert reach["page"] <= 0, reach
    assert not any(reach[selector] for selector in reach if selector != "page"), reach
    # In Chinese throughout, the rows and links the admin's scripts add ("添加另一个…") too.
    assert not english_words(page.content()), english_words(page.content())


def more_branches() -> None:
    factories.make_branch(
        "SZ-FT02",
        name_zh="福田中心支行",
        name_en="Futian Central Sub-branch, Shenzhen",
        city_zh="深圳",
        city_en="Shenzhen",
    )
    factories.make_branch(
        "ST-JP03",
        name_zh="金平支行",
        name_en="Jinping Sub-branch",
        city_zh="汕头",
        city_en="Shantou",
    )


def test_the_list_of_branches_fits_head_offices_screen_in_chinese(
    server, head_office_page, in_thread, screenshot
):
    page, _ = head_office_page
    in_thread(more_branches)
    page.goto("/admin/queueing/branch/")
    assert page.locator("#result_list tbody tr").count() == 3
    screenshot(page, "branches")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    right = page.evaluate("document.querySelector('#changelist').getBoundingClientRect().right")
    assert right <= HEAD_OFFICE_PC["viewport"]["width"]
    assert not english_words(page.content()), english_words(page.content())


def test_a_counters_page_and_its_service_picker_read_in_chinese(
    server, head_office_page, screenshot
):
    page, branch = head_office_page
    counter = branch.counters.get(number=1)
    page.goto(f"/admin/queueing/counter/{counter.pk}/change/")
    # The picker of services is drawn by the admin's script, in words of its own catalogue.
    expect(page.locator("#id_services_add_all")).to_be_visible()
    screenshot(page, "counter")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not english_words(page.content()), english_words(page.content())
