"""The API's documentation in a branch with no internet: everything it needs comes from the site."""

from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser tests skip without Playwright
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_the_network_beyond_the_site_blocked(new_page, server, screenshot):
    page = new_page()
    site = urlsplit(server.url).netloc
    elsewhere: list[str] = []

    def only_the_site(route) -> None:
        if urlsplit(route.request.url).netloc == site:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.goto("/api/docs/")
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 10
    screenshot(page, "offline")
    assert elsewhere == []
