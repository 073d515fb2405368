"""Staff and configuration changed in the admin, as head office reads them back in the audit
trail: who changed what, from which address, and each changed field before and after. Never a
password hash."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from branchsite.infra.models import AuditEntry
from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Appointment, Branch, Counter, StaffMembership
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
TEN = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def at_ten():
    with time_machine.travel(TEN, tick=False):
        yield


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def resubmit(page, **changes) -> dict:
    """The POST a browser sends for an unchanged admin change page, with `changes` applied."""
    page_forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        page_forms.append(inline.formset.management_form)
        page_forms.extend(inline.formset.forms)
    data: dict = {}
    for form in page_forms:
        for field in form:
            if field.field.disabled:
                continue
            value, widget = field.value(), field.field.widget
            # A field with a callable default also sends its initial value, hidden.
            names = [field.html_name]
            if field.field.show_hidden_initial:
                names.append(field.html_initial_name)
            if isinstance(widget, forms.MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for name in names:
                    for suffix, part in zip(widget.widgets_names, parts, strict=True):
                        if part is not None:
                            data[f"{name}{suffix}"] = str(part)
                continue
            if value is None or value is False:
                continue
            for name in names:
                data[name] = "on" if value is True else value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def who_where_when(entry: AuditEntry) -> tuple:
    return (entry.actor, entry.actor_name, entry.device, entry.address, entry.branch, entry.at)


def trail() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# Staff ------------------------------------------------------------------------------------------


def test_head_office_giving_someone_a_role_at_a_branch_is_a_staff_change_in_the_trail(
    head_office, head_office_user, branch
):
    newcomer = factories.make_user("newcomer")
    response = head_office.post(
        url(StaffMembership, "add"), {"user": newcomer.pk, "branch": branch.pk, "role": "teller"}
    )
    assert response.status_code == 302

    added = AuditEntry.objects.get()
    membership = StaffMembership.objects.get(user=newcomer)
    assert added.action == "staffmembership.added"
    assert who_where_when(added) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (added.subject_id, added.before, added.after) == (
        str(membership.pk),
        None,
        {"user": newcomer.pk, "branch": branch.pk, "role": "teller"},
    )


def test_a_refused_membership_changes_nothing_and_leaves_no_entry(head_office, branch):
    newcomer = factories.make_user("newcomer")
    response = head_office.post(
        url(StaffMembership, "add"),
        {"user": newcomer.pk, "branch": branch.pk, "role": "head_office"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    response = head_office.post(
        url(StaffMembership, "add"), {"user": newcomer.pk, "role": "head_office"}
    )
    assert response.status_code == 302
    assert trail() == ["staffmembership.added"]


def test_head_office_changing_someones_role_leaves_the_role_before_and_after(
    head_office, head_office_user, branch, teller
):
    membership = StaffMembership.objects.get(user=teller)
    page = head_office.get(url(StaffMembership, "change", membership.pk))
    response = head_office.post(
        url(StaffMembership, "change", membership.pk), resubmit(page, role="lobby_manager")
    )
    assert response.status_code == 302

    changed = AuditEntry.objects.get()
    assert changed.action == "staffmembership.changed"
    assert who_where_when(changed) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (changed.before, changed.after) == ({"role": "teller"}, {"role": "lobby_manager"})


def test_saving_a_page_unchanged_leaves_no_entry(head_office, teller):
    membership = StaffMembership.objects.get(user=teller)
    page = head_office.get(url(StaffMembership, "change", membership.pk))
    assert head_office.post(url(StaffMembership, "change", membership.pk), resubmit(page))
    assert head_office.post(
        url(StaffMembership, "change", membership.pk), resubmit(page, role="lobby_manager")
    )
    assert trail() == ["staffmembership.changed"]


def test_head_office_removing_memberships_leaves_what_each_was_in_the_trail(
    head_office, head_office_user, branch, teller
):
    manager = factories.make_staff(branch, role="lobby_manager")
    teller_membership = StaffMembership.objects.get(user=teller)
    response = head_office.post(
        url(StaffMembership, "delete", teller_membership.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    manager_membership = StaffMembership.objects.get(user=manager)
    response = head_office.post(
        url(StaffMembership, "changelist"),
        {
            "action": "delete_selected",
            admin.helpers.ACTION_CHECKBOX_NAME: [manager_membership.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not StaffMembership.objects.filter(branch=branch).exists()

    removed = list(AuditEntry.objects.order_by("pk"))
    assert [entry.action for entry in removed] == ["staffmembership.deleted"] * 2
    assert {who_where_when(entry) for entry in removed} == {
        (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    }
    assert [(entry.subject_id, entry.before, entry.after) for entry in removed] == [
        (
            str(teller_membership.pk),
            {"user": teller.pk, "branch": branch.pk, "role": "teller"},
            None,
        ),
        (
            str(manager_membership.pk),
            {"user": manager.pk, "branch": branch.pk, "role": "lobby_manager"},
            None,
        ),
    ]


def test_a_role_given_on_the_users_own_page_is_a_staff_change_too(
    head_office, head_office_user, branch, teller
):
    page = head_office.get(url(User, "change", teller.pk))
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is StaffMembership
    )
    other = factories.make_branch("FS-CC01")
    response = head_office.post(
        url(User, "change", teller.pk),
        resubmit(
            page,
            **{
                f"{prefix}-TOTAL_FORMS": "2",
                f"{prefix}-1-branch": other.pk,
                f"{prefix}-1-role": "lobby_manager",
            },
        ),
    )
    assert response.status_code == 302, response.context["errors"]

    added = AuditEntry.objects.get()
    assert added.action == "staffmembership.added"
    assert who_where_when(added) == (head_office_user, "head", "", "127.0.0.1", "FS-CC01", TEN)
    assert added.after == {"user": teller.pk, "branch": other.pk, "role": "lobby_manager"}


def test_changing_a_user_is_in_the_trail_and_their_password_never_is(
    head_office, head_office_user, branch, teller
):
    page = head_office.get(url(User, "change", teller.pk))
    response = head_office.post(
        url(User, "change", teller.pk), resubmit(page, first_name="Li", is_staff="on")
    )
    assert response.status_code == 302, response.context["errors"]
    response = head_office.post(
        url(User, "password_change", teller.pk),
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302

    changed, password = AuditEntry.objects.order_by("pk")
    assert (changed.action, password.action) == ("user.changed", "user.password_changed")
    for entry in (changed, password):
        assert who_where_when(entry) == (head_office_user, "head", "", "127.0.0.1", "", TEN)
        assert entry.subject_id == str(teller.pk)
    assert (changed.before, changed.after) == (
        {"first_name": "", "is_staff": False},
        {"first_name": "Li", "is_staff": True},
    )
    teller.refresh_from_db()
    assert teller.check_password("a-new-long-passphrase")
    assert (password.before, password.after) == (None, None)
    stored = str(AuditEntry.objects.values_list("before", "after")[::1])
    assert teller.password not in stored and "md5$" not in stored


# Configuration ---------------------------------------------------------------------------------


def test_head_office_changing_a_branch_its_hours_and_its_queues_leaves_each_in_the_trail(
    head_office, head_office_user
):
    branch = factories.make_branch("FS-CC01", hours=(time(9), time(17)), weekdays=range(1))
    service = factories.make_service(branch, "A", default_handling_minutes=5)
    page = head_office.get(url(Branch, "change", branch.pk))
    hours_prefix, services_prefix = (
        inline.formset.prefix for inline in page.context["inline_admin_formsets"][:2]
    )
    response = head_office.post(
        url(Branch, "change", branch.pk),
        resubmit(
            page,
            name_en="Chancheng Branch",
            **{
                f"{hours_prefix}-0-closes": "16:30",
                f"{services_prefix}-0-default_handling_minutes": "8",
            },
        ),
    )
    assert response.status_code == 302, response.context["errors"]

    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert sorted(entries) == ["branch.changed", "openinghours.changed", "service.changed"]
    assert {who_where_when(entry) for entry in entries.values()} == {
        (head_office_user, "head", "", "127.0.0.1", "FS-CC01", TEN)
    }
    assert (entries["branch.changed"].before, entries["branch.changed"].after) == (
        {"name_en": "Tianhe Sub-branch"},
        {"name_en": "Chancheng Branch"},
    )
    hours = entries["openinghours.changed"]
    assert (hours.before, hours.after) == ({"closes": "17:00:00"}, {"closes": "16:30:00"})
    queue = entries["service.changed"]
    assert queue.subject_id == str(service.pk)
    assert (queue.before, queue.after) == (
        {"default_handling_minutes": 5},
        {"default_handling_minutes": 8},
    )


def test_head_office_changing_a_queue_on_its_own_page_is_in_the_trail(
    head_office, head_office_user, cash
):
    page = head_office.get(url(type(cash), "change", cash.pk))
    response = head_office.post(
        url(type(cash), "change", cash.pk),
        resubmit(page, overtime_threshold_minutes="25", is_active=None),
    )
    assert response.status_code == 302, response.context["errors"]

    changed = AuditEntry.objects.get()
    assert changed.action == "service.changed"
    assert who_where_when(changed) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (changed.before, changed.after) == (
        {"overtime_threshold_minutes": cash.overtime_threshold_minutes, "is_active": True},
        {"overtime_threshold_minutes": 25, "is_active": False},
    )


def test_head_office_cancelling_appointments_in_the_admin_is_in_the_trail(
    head_office, head_office_user
):
    branch = factories.make_branch(hours=(time(9), time(17)))
    wealth = factories.make_service(branch, "C", appointment_capacity=2)
    appointment = services.appointment_book(
        service=wealth, start=datetime(2026, 12, 2, 10, tzinfo=TEN.tzinfo), phone="13812345678"
    )
    response = head_office.post(
        url(Appointment, "changelist"),
        {"action": "cancel_appointments", admin.helpers.ACTION_CHECKBOX_NAME: [appointment.pk]},
    )
    assert response.status_code == 302

    cancelled = AuditEntry.objects.get(action="appointment.cancelled")
    assert who_where_when(cancelled) == (head_office_user, "head", "", "127.0.0.1", "GZ-TH01", TEN)
    assert (cancelled.before, cancelled.after) == ({"status": "booked"}, {"status": "cancelled"})


# Reading it ------------------------------------------------------------------------------------


def test_the_pages_of_a_branch_counter_appointment_kiosk_and_user_lead_to_their_own_trail(
    head_office, head_office_user, branch, cash, counter, teller
):
    wealth = factories.make_service(branch, "C", appointment_capacity=2)
    appointment = services.appointment_book(
        service=wealth, start=datetime(2026, 12, 2, 10, tzinfo=TEN.tzinfo), phone="13812345678"
    )
    kiosk, _ = kiosk_register(branch=branch, name="Lobby 1", actor=head_office_user)
    services.counter_close(counter=counter, actor=head_office_user)
    services.appointment_cancel(appointment=appointment, actor=head_office_user)
    page = head_office.get(url(StaffMembership, "change", teller.memberships.get().pk))
    head_office.post(
        url(StaffMembership, "change", teller.memberships.get().pk),
        resubmit(page, role="lobby_manager"),
    )
    page = head_office.get(url(User, "change", teller.pk))
    head_office.post(url(User, "change", teller.pk), resubmit(page, first_name="Li"))
    page = head_office.get(url(Branch, "change", branch.pk))
    head_office.post(url(Branch, "change", branch.pk), resubmit(page, name_en="Tianhe"))

    for subject, action in [
        (branch, "branch.changed"),
        (counter, "counter.closed"),
        (appointment, "appointment.cancelled"),
        (kiosk, "kiosk.registered"),
        (teller, "user.changed"),
    ]:
        kind = ContentType.objects.get_for_model(subject)
        trail_url = (
            f"{reverse('admin:infra_auditentry_changelist')}"
            f"?subject_type__id__exact={kind.pk}&subject_id={subject.pk}"
        )
        page = head_office.get(url(type(subject), "change", subject.pk))
        assert trail_url.replace("&", "&amp;") in page.text, type(subject)
        listed = head_office.get(trail_url).context["cl"].result_list
        assert action in [entry.action for entry in listed]
        assert {(entry.subject_type_id, entry.subject_id) for entry in listed} == {
            (kind.pk, str(subject.pk))
        }
    assert Counter.objects.get().is_open is False
