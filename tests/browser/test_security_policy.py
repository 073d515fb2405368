"""Every page of the product, in Chinese and in English, under the Content-Security-Policy and the
Permissions-Policy the server sends: the browser reports no violation, and the page still does
its job (the live indicator connects, the finder lists branches, Swagger UI shows the API, the
admin's scripts run)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
WALL_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
# What the browser's own locale makes Django choose (LocaleMiddleware, Accept-Language).
BROWSER_LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
TIANHE = {"latitude": 23.135, "longitude": 113.32}

# Runs in every document before its own scripts: each `securitypolicyviolation` (a blocked
# script, style, attribute, image, connection or frame) is handed to the test as it happens, so
# a violation on a page that then went elsewhere is kept too.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
  });
}, true);
"""
POLICY_MESSAGE = re.compile(r"content.security.policy|permissions.policy", re.IGNORECASE)


class PolicyWatch:
    """What the browser said about the page's policies: violation events and console lines."""

    def __init__(self, page) -> None:
        self.page = page
        self.violations: list[dict[str, Any]] = []
        self.messages: list[str] = []
        self.documents: list[tuple[str, dict[str, str]]] = []
        page.expose_function("reportPolicyViolation", self._on_violation)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_violation(self, violation: dict[str, Any]) -> None:
        self.violations.append(violation)

    def _on_console(self, message) -> None:
        if POLICY_MESSAGE.search(message.text):
            self.messages.append(f"{message.type}: {message.text}")

    def _on_response(self, response) -> None:
        if response.request.resource_type == "document" and response.status < 300:
            self.documents.append((response.url, response.all_headers()))

    def assert_clean(self) -> None:
        assert self.documents, "no page was loaded"
        for url, headers in self.documents:
            policy = headers.get("content-security-policy", "")
            assert "default-src 'self'" in policy, f"{url} has no Content-Security-Policy"
            assert "unsafe-" not in policy, f"{url} allows {policy}"
            assert headers.get("permissions-policy"), f"{url} has no Permissions-Policy"
        # Events reach the test through the page's binding, a round trip after they happen.
        self.page.wait_for_timeout(300)
        assert not self.violations, "the browser blocked:\n" + "\n".join(
            str(violation) for violation in self.violations
        )
        assert not self.messages, "the browser said:\n" + "\n".join(self.messages)


@pytest.fixture
def site(branch, in_thread):
    """A branch with everything each page shows: queues, a staffed counter, a ticket, an
    appointment with cash reserved, a lobby manager and a head office administrator."""
    return in_thread(_set_up, branch)


def _set_up(branch) -> dict[str, Any]:
    return factories.make_lobby_for_every_page(branch)


def verify_second_factor(page, user) -> None:
    """Mark the browser's session as having passed the second factor, as the code step does."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    factories.verify_session(cookie["value"], user)


def wait_until_live(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")


# The pages: who opens each, on which device, and what shows that it works. --------------------

Visit = Callable[[Any, dict], None]
PAGES: dict[str, tuple[str | None, dict, Visit]] = {}


def visited(name: str, *, user: str | None = None, device: dict = DESKTOP):
    def register(visit: Visit) -> Visit:
        PAGES[name] = (user, device, visit)
        return visit

    return register


@visited("finder", device={**PHONE, "permissions": ["geolocation"], "geolocation": TIANHE})
def _finder(tab, site):
    tab.goto("/")
    expect(tab.locator("#branch-list > li")).to_have_count(2)  # and the stranger's branch
    # "Near me" asks for the position: the finder's Permissions-Policy must allow it.
    tab.locator("#near-me").click()
    expect(tab.locator("#near-me")).to_have_attribute("aria-pressed", "true")


@visited("branch", device=PHONE)
def _branch(tab, site):
    tab.goto("/branches/GZ-TH01/")
    expect(tab.locator("#waits > li")).to_have_count(2)
    expect(tab.locator("#hours tr")).to_have_count(7)


@visited("appointment", device=PHONE)
def _appointment(tab, site):
    tab.goto(f"/a/{site['appointment'].token}/")
    expect(tab.locator("#status-label")).not_to_be_empty()
    expect(tab.locator("#fact-cash-row")).to_be_visible()
    qr = tab.locator("#qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")


@visited("ticket", device=PHONE)
def _ticket(tab, site):
    tab.goto(f"/t/{site['ticket'].token}/")
    wait_until_live(tab)
    expect(tab.locator("#position")).not_to_be_empty()


@visited("wall-screen", device=WALL_SCREEN)
def _wall_screen(tab, site):
    tab.goto("/screens/GZ-TH01/")
    wait_until_live(tab)
    expect(tab.locator("#queues [data-prefix=A] [data-role=waiting]")).to_have_text("1")
    # The chime may play without a touch: no "turn on the sound" button.
    expect(tab.locator("#enable-sound")).to_be_hidden()


@visited("counter", user="teller")
def _counter(tab, site):
    tab.goto("/counter/GZ-TH01/1/")
    wait_until_live(tab)


@visited("lobby", user="lobby_manager", device={"viewport": {"width": 1024, "height": 768}})
def _lobby(tab, site):
    tab.goto("/lobby/GZ-TH01/")
    wait_until_live(tab)
    expect(tab.locator(f"#tickets [data-token='{site['ticket'].token}']")).to_be_visible()


@visited("staff-login")
def _staff_login(tab, site):
    tab.goto("/accounts/login/")
    tab.locator("#id_username").fill("teller")
    tab.locator("#id_password").fill("pw-for-tests-only")
    tab.locator("form[action='/accounts/login/'] button[type=submit]").click()
    # Staff home sends a teller to their counter.
    expect(tab).to_have_url(re.compile(r"/counter/GZ-TH01/1/$"))
    wait_until_live(tab)


@visited("staff-home", user="lobby_manager")
def _staff_home(tab, site):
    tab.goto("/staff/")
    expect(tab).to_have_url(re.compile(r"/lobby/GZ-TH01/$"))
    wait_until_live(tab)


@visited("api-docs")
def _api_docs(tab, site):
    tab.goto("/api/docs/")
    operations = tab.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 10
    operations.filter(has_text="/api/branches/").first.locator(".opblock-summary").click()
    expect(tab.locator(".opblock.is-open .try-out__btn")).to_be_visible()


@visited("admin-index", user="head_office")
def _admin_index(tab, site):
    tab.goto("/admin/")
    expect(tab.locator("#content-main .app-queueing")).to_be_visible()


@visited("admin-change-list", user="head_office")
def _admin_change_list(tab, site):
    tab.goto("/admin/queueing/branch/")
    expect(tab.locator("#result_list tbody tr")).to_have_count(2)  # and the stranger's
    # The actions bar counts selected rows: admin/js/actions.js runs.
    tab.locator("#action-toggle").check()
    expect(tab.locator(".action-counter")).to_contain_text("2")


@visited("admin-change-form", user="head_office")
def _admin_change_form(tab, site):
    tab.goto(f"/admin/queueing/branch/{site['branch'].pk}/change/")
    expect(tab.locator("#id_code")).to_have_value("GZ-TH01")
    # "Add another" links are made by admin/js/inlines.js.
    expect(tab.locator("#services-group .add-row a")).to_be_visible()


@visited("admin-appointments", user="head_office")
def _admin_appointments(tab, site):
    tab.goto("/admin/queueing/appointment/")
    expect(tab.locator("#result_list tbody tr")).to_have_count(1)


@visited("admin-reserved-cash", user="head_office")
def _admin_reserved_cash(tab, site):
    tab.goto(f"/admin/queueing/appointment/reserved-cash/?date={site['tomorrow']}")
    row = tab.locator("#content-main tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_css("text-align", "right")


SCREENSHOTS = {"finder", "wall-screen", "api-docs", "admin-change-form", "admin-reserved-cash"}


@pytest.mark.parametrize("language", BROWSER_LOCALES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_works_under_the_policies_without_a_violation(
    name, language, new_page, screenshot, site
):
    user, device, visit = PAGES[name]
    tab = new_page(user=site[user] if user else None, locale=BROWSER_LOCALES[language], **device)
    if user == "head_office":
        verify_second_factor(tab, site[user])
    watch = PolicyWatch(tab)

    visit(tab, site)

    if not name.startswith("api-"):
        expect(tab.locator("html")).to_have_attribute("lang", language)
    watch.assert_clean()
    if name in SCREENSHOTS:
        screenshot(tab, "page")
