"""The audit trail as head office reads it in the admin: every entry a staff action left can be
found and opened there, by head office only, and nobody can add, change or delete one."""

import pytest
from django.contrib import admin
from django.urls import reverse

from branchsite.infra.models import AuditEntry
from queueing.models import StaffMembership
from tests import factories

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:infra_auditentry_changelist")


def entry_url(entry: AuditEntry, view: str = "change") -> str:
    return reverse(f"admin:infra_auditentry_{view}", args=[entry.pk])


@pytest.fixture
def a_tellers_call(teller_api, teller, cash, counter) -> AuditEntry:
    factories.issue(cash)
    assert teller_api.post("/api/branches/GZ-TH01/counters/1/call-next/").status_code == 200
    return AuditEntry.objects.get(action="ticket.called")


def test_head_office_finds_a_tellers_call_in_the_trail_and_opens_it(
    head_office, a_tellers_call, teller
):
    listed = head_office.get(TRAIL, {"branch": "GZ-TH01"})
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [a_tellers_call]

    page = head_office.get(entry_url(a_tellers_call))
    assert page.status_code == 200
    # The action by its name; the status before and after, by theirs.
    for shown in ("ticket called", teller.username, "127.0.0.1", "GZ-TH01", "waiting", "called"):
        assert shown in page.text
    assert 'name="action"' not in page.text  # a record to read, not a form


def test_nobody_adds_changes_or_deletes_an_entry_not_even_head_office(head_office, a_tellers_call):
    assert head_office.get(reverse("admin:infra_auditentry_add")).status_code == 403
    changed = head_office.post(entry_url(a_tellers_call), {"action": "ticket.finished"})
    assert changed.status_code == 403
    deleted = head_office.post(entry_url(a_tellers_call, "delete"), {"post": "yes"})
    assert deleted.status_code == 403
    bulk = head_office.post(
        TRAIL,
        {
            "action": "delete_selected",
            admin.helpers.ACTION_CHECKBOX_NAME: [a_tellers_call.pk],
            "post": "yes",
        },
    )
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.get(pk=a_tellers_call.pk).action == "ticket.called"


def test_staff_of_a_branch_cannot_read_the_trail(a_tellers_call, branch):
    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    manager.is_staff = True
    manager.save()
    client = factories.signed_in(manager)
    for page in (TRAIL, entry_url(a_tellers_call)):
        response = client.get(page)
        assert response.status_code != 200
        assert "ticket.called" not in response.content.decode()
