"""Head office reads the admin in Chinese: with Chinese chosen, no page of it (lists, forms,
filters, actions, help texts, choices, app names, messages after saving) shows an English word,
but for what the records themselves say in English and a few names and codes."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from branchsite.infra.models import AuditEntry, IdempotencyKey
from kiosks.models import Kiosk
from queueing.models import Appointment, Branch, Counter, Currency, Service
from tests.branchsite.test_admin_site import every_admin_page
from tests.queueing.test_admin import (  # noqa: F401  (lobby: a record for every page)
    lobby,
    messages_of,
    resubmit,
    url,
)

pytestmark = pytest.mark.django_db

VIEW_ON_SITE = reverse("admin:index") + "r/"

User = get_user_model()

WORD = re.compile(r"[A-Za-z]{3,}")
# Words a Chinese page keeps, each for its reason:
ALLOWED = {
    *Currency.values,  # ISO currency codes, as a cash amount reads ("80,000.00 CNY")
    "Control",  # keys and a protocol, named so in Django's own Chinese help texts
    "Command",
    "Mac",
    "LDAP",
}
# Codes and keys, whatever letters they hold: branch codes, ticket numbers, device keys and the
# start of one ("k_Fc-jLk"), hashes and API tokens in hexadecimal, and secrets shown masked (a
# password's salt "eaeX2p****").
CODES = re.compile(
    r"\b[A-Z]{2}-[A-Z]{2}\d{2}\b|\b[A-Z]\d{3}\b|\bk_[A-Za-z0-9_-]+"
    r"|\b(?=[a-f]*\d)[0-9a-f]{8,}\b|\S*\*{4,}"
)
# Elements whose text nobody sees; attributes that a browser shows or reads aloud.
UNSEEN = {"script", "style", "template", "noscript"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label"}
BUTTON_INPUTS = {"submit", "button", "reset"}


class VisibleText(HTMLParser):
    """The text a page shows: element text outside scripts and styles, the labels a browser shows
    or reads aloud (title, placeholder, aria-label) and the words on input buttons. Not images'
    alt texts: Django writes its icons' in English in code ("True", "Search")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._unseen_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSEEN:
            self._unseen_depth += 1
            return
        values = dict(attrs)
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)
        if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in UNSEEN and self._unseen_depth:
            self._unseen_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._unseen_depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def english_in_the_records() -> list[str]:
    """What the records say in English, longest first, shown as stored:
    - a branch's and a service's English names stand beside their Chinese ones by design;
    - usernames, and the names of kiosks, groups and authenticator apps, are what their owners
      chose; so is an idempotency key, which the client sends;
    - the audit trail keeps each record's name as it read when the change was made;
    - django-axes names its records in code, in English ("Attempted Access: <time>"), where no
      catalogue reaches (its `__str__`): left as it is, and said so in accounts/admin.py.
    """
    values: list[str] = []
    for branch in Branch.objects.all():
        values += [branch.name_en, branch.city_en, branch.address_en]
    values += Service.objects.values_list("name_en", flat=True)
    values += User.objects.values_list("username", flat=True)
    values += Kiosk.objects.values_list("name", flat=True)
    values += Group.objects.values_list("name", flat=True)
    values += TOTPDevice.objects.values_list("name", flat=True)
    values += IdempotencyKey.objects.values_list("key", flat=True)
    values += Appointment.objects.values_list("code", flat=True)
    values += AuditEntry.objects.values_list("actor_name", flat=True)
    values += AuditEntry.objects.values_list("subject", flat=True)
    for axes_model in (AccessAttempt, AccessLog, AccessFailureLog):
        values += map(str, axes_model.objects.all())
        # What the browser sent, as django-axes keeps it ("<unknown>", "/accounts/login/").
        values += axes_model.objects.values_list("user_agent", flat=True)
        values += axes_model.objects.values_list("path_info", flat=True)
    for get_data, post_data in AccessAttempt.objects.values_list("get_data", "post_data"):
        values += [*get_data.splitlines(), *post_data.splitlines()]
    return sorted({value for value in values if value}, key=len, reverse=True)


def english_words(html: str) -> set[str]:
    text = visible_text(html)
    for value in english_in_the_records():
        text = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", text)
    return {word for word in WORD.findall(CODES.sub(" ", text)) if word not in ALLOWED}


def in_chinese(client: Client) -> Client:
    """`client` with Chinese chosen, as the site's language switch chooses it."""
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def chinese_head_office(head_office) -> Client:
    return in_chinese(head_office)


def test_the_reader_sees_text_labels_and_buttons_but_not_scripts():
    html = (
        '<p title="Shown">One <b>two</b></p><script>var hidden;</script><style>.x{}</style>'
        '<input type="submit" value="Save"><input type="text" value="typed" name="code">'
        '<img src="icon-yes.svg" alt="True"> GZ-TH01 A001 CNY'
    )
    assert english_words(html) == {"Shown", "One", "two", "Save"}


def test_every_admin_page_is_in_chinese(chinese_head_office, lobby):  # noqa: F811
    found: dict[str, set[str]] = {}
    for page in every_admin_page():
        if page.startswith(VIEW_ON_SITE):
            continue  # the branch's own page, outside the admin
        response = chinese_head_office.get(page)
        if response.status_code in {302, 403} or "html" not in response["Content-Type"]:
            continue  # a record only services write has no add or delete page
        assert response.status_code == 200, page
        if words := english_words(response.content.decode()):
            found[page] = words
    report = "\n".join(f"{page}: {' '.join(sorted(words))}" for page, words in found.items())
    every = sorted(set().union(*found.values())) if found else []
    assert not found, f"{len(every)} English words: {' '.join(every)}\n{report}"


def test_what_head_office_is_told_after_saving_or_acting_is_in_chinese(
    chinese_head_office,
    lobby,  # noqa: F811
    cash,
):
    client = chinese_head_office
    branch_page = client.get(url(Branch, "change", lobby.pk))
    kiosk = Kiosk.objects.get()
    appointment = Appointment.objects.get()
    selected = admin.helpers.ACTION_CHECKBOX_NAME
    pages = {
        "branch saved": client.post(
            url(Branch, "change", lobby.pk), resubmit(branch_page), follow=True
        ),
        "kiosk added": client.post(
            url(Kiosk, "add"), {"branch": lobby.pk, "name": "Lobby 2"}, follow=True
        ),
        "key rotated": client.post(
            url(Kiosk, "changelist"), {"action": "rotate_key", selected: [kiosk.pk]}, follow=True
        ),
        "appointment cancelled": client.post(
            url(Appointment, "changelist"),
            {"action": "cancel_appointments", selected: [appointment.pk]},
            follow=True,
        ),
        "attempts cleaned up": client.post(
            url(AccessAttempt, "changelist"),
            {"action": "cleanup_expired_attempts", selected: [AccessAttempt.objects.get().pk]},
            follow=True,
        ),
        "counter delete asked": client.post(
            url(Counter, "changelist"),
            {"action": "delete_selected", selected: [lobby.counters.get().pk]},
        ),
        "counter refused": client.post(
            url(Counter, "add"), {"branch": lobby.pk, "number": 1, "services": [cash.pk]}
        ),
    }
    # The kiosk's history: what the admin logged, read back in the reader's language.
    pages["kiosk history"] = client.get(url(Kiosk, "history", kiosk.pk))

    assert all(response.status_code == 200 for response in pages.values())
    told = ("branch saved", "kiosk added", "key rotated", "appointment cancelled")
    assert all(messages_of(pages[what]) for what in (*told, "attempts cleaned up")), "no message"
    assert "成功修改了 网点" in messages_of(pages["branch saved"])[0]
    assert "已修改设备密钥。" in pages["kiosk history"].text
    found = {what: english_words(response.content.decode()) for what, response in pages.items()}
    assert not any(found.values()), found
