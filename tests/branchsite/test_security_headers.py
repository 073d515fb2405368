"""Every page answers with a Content-Security-Policy that allows only the site's own files (no
'unsafe-inline', no 'unsafe-eval') and a Permissions-Policy that turns off the browser features it
does not use; the templates and scripts hold nothing that policy would block; browsers' violation
reports are logged. tests/browser/test_security_policy.py shows the pages working under it."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(branch):
    return factories.make_lobby_for_every_page(branch)


# (path, who is signed in, the status that shows the page itself was served)
PAGES = {
    "finder": ("/", None, 200),
    "branch": ("/branches/GZ-TH01/", None, 200),
    "appointment": ("/a/{appointment.token}/", None, 200),
    "ticket": ("/t/{ticket.token}/", None, 200),
    "wall-screen": ("/screens/GZ-TH01/", None, 200),
    "counter": ("/counter/GZ-TH01/1/", "teller", 200),
    "lobby": ("/lobby/GZ-TH01/", "lobby_manager", 200),
    "staff-login": ("/accounts/login/", None, 200),
    "staff-home": ("/staff/", "lobby_manager", 302),
    "api-docs": ("/api/docs/", None, 200),
    "api-docs-script": ("/api/docs/?script=", None, 200),
    "api": ("/api/branches/", None, 200),
    "admin-index": ("/admin/", "head_office", 200),
    "admin-change-list": ("/admin/queueing/branch/", "head_office", 200),
    "admin-change-form": ("/admin/queueing/branch/{branch.pk}/change/", "head_office", 200),
    "admin-reserved-cash": ("/admin/queueing/appointment/reserved-cash/", "head_office", 200),
    "not-found": ("/branches/NOPE-01/", None, 404),
    "not-allowed": ("/lobby/GZ-TH01/", "stranger", 403),
}


def get(site, name: str, **request_options):
    path, user, status = PAGES[name]
    client = Client()
    if user:
        factories.signed_in(site[user], client=client)
    response = client.get(path.format(**site), **request_options)
    assert response.status_code == status, f"{name}: {response.status_code}"
    return response


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def features(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_allows_only_the_sites_own_files_and_nothing_inline(name, site):
    response = get(site, name)

    policy = directives(response)
    assert "unsafe-" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["report-uri"] == ["/csp-report/"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_turns_off_the_browser_features_it_does_not_use(name, site):
    response = get(site, name)

    allowed = features(response)
    for feature in ("camera", "microphone", "payment", "usb", "serial", "hid", "display-capture"):
        assert allowed[feature] == "()"
    assert allowed["geolocation"] == ("(self)" if name == "finder" else "()")
    assert allowed["autoplay"] == ("(self)" if name in {"wall-screen", "ticket"} else "()")
    assert set(allowed) == set(settings.PERMISSIONS_POLICY)


def test_a_page_served_over_https_lets_its_scripts_connect_to_its_own_wss_origin_only(site):
    response = get(site, "wall-screen", secure=True)

    assert directives(response)["connect-src"] == ["'self'", "wss://testserver"]


def test_the_api_docs_come_from_the_site_with_their_start_up_script_in_a_file_of_its_own(site):
    page = get(site, "api-docs").content.decode()
    script = get(site, "api-docs-script")

    assert "cdn." not in page and "https://" not in page
    assert "<style" not in page
    sources = re.findall(r"<script([^>]*)>", page)
    assert sources and all('src="' in attributes for attributes in sources)
    assert '/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert 'src="/api/docs/?script="' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


# What a Content-Security-Policy without 'unsafe-inline' blocks in markup. A `<script>` needs a
# `src`: json_script writes its data only when the page is rendered.
IN_TEMPLATES = {
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
# Scripts may set `element.style` and add listeners; markup they write as text, or a style
# attribute they set by name, is blocked like the template's.
IN_SCRIPTS = {
    "markup with a script or style element": re.compile(r"<(script|style)[\s>]", re.IGNORECASE),
    "markup with a style attribute": re.compile(r"\bstyle=[\"'\\]", re.IGNORECASE),
    "markup with an event handler": re.compile(r"\bon[a-z]+=[\"'\\]", re.IGNORECASE),
    "a style attribute set by name": re.compile(r"setAttribute\(\s*[\"'`]style"),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "eval": re.compile(r"\beval\(|new Function\("),
}


def sources() -> list[Path]:
    return sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/**/*.js")])


@pytest.mark.parametrize("path", sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_or_script_holds_what_the_policy_would_block(path):
    patterns = IN_SCRIPTS if path.suffix == ".js" else IN_TEMPLATES
    text = path.read_text()

    found = [what for what, pattern in patterns.items() if pattern.search(text)]

    assert not found, f"{path.relative_to(ROOT)} has {', '.join(found)}"


def test_a_browsers_report_of_a_blocked_script_is_logged_as_a_warning(caplog):
    report = {
        "csp-report": {
            "document-uri": "https://branch.example/t/abc/",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://cdn.example/evil.js",
            "source-file": "https://branch.example/t/abc/",
            "line-number": 12,
        }
    }

    with caplog.at_level(logging.WARNING, logger="branchsite.infra.security"):
        response = Client().post(
            "/csp-report/", json.dumps(report), content_type="application/csp-report"
        )

    assert response.status_code == 204
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "'https://cdn.example/evil.js' (script-src-elem)" in message
    assert "'https://branch.example/t/abc/'" in message


@pytest.mark.parametrize("body", ["not json", "[]", '{"other": 1}', '{"csp-report": "x"}'])
def test_a_report_that_is_not_one_is_refused_without_a_log_line(body, caplog):
    with caplog.at_level(logging.WARNING, logger="branchsite.infra.security"):
        response = Client().post("/csp-report/", body, content_type="application/csp-report")

    assert response.status_code == 400
    assert not [r for r in caplog.records if r.name == "branchsite.infra.security"]


def test_reports_are_only_posted(db):
    assert Client().get("/csp-report/").status_code == 405
