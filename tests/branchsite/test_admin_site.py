"""The Django admin is head office's: every admin page and every admin action refuses tellers and
lobby managers (even with `is_staff`), as the API does, and opens for head office once its sign-in
passed the second factor."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse

from queueing.models import Appointment, Branch, StaffMembership
from tests import factories
from tests.queueing.test_admin import lobby  # noqa: F401  (a record for every admin page)

pytestmark = pytest.mark.django_db

SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")
ROLES = [StaffMembership.Role.TELLER, StaffMembership.Role.LOBBY_MANAGER]


def staff_of(branch, role: str, *, username: str):
    user = factories.make_staff(branch, role=role, username=username)
    user.is_staff = True  # as seed_demo makes every demo account
    user.save()
    return user


def every_admin_page() -> list[str]:
    """Every page the admin site serves: its own, and each registered model's (list, add, change,
    delete, history and custom views), with the id of a record that exists where one does."""
    pages = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
        reverse("admin:jsi18n"),
        reverse("admin:autocomplete")
        + "?app_label=queueing&model_name=counter&field_name=branch&term=GZ",
    ]
    branch = Branch.objects.first()
    pages.append(
        reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Branch).pk, branch.pk if branch else 1],
        )
    )
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        pages.append(reverse("admin:app_list", args=[app_label]))
    for model, model_admin in admin.site._registry.items():
        record = model._default_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if pattern.name is None:  # the bare `<id>/` that redirects to the change page
                continue
            ids = {name: record.pk if record else 1 for name in pattern.pattern.converters}
            pages.append(reverse(f"admin:{pattern.name}", kwargs=ids))
    return pages


def every_admin_action(head_office_user) -> list[tuple[str, dict]]:
    """(changelist, POST) for each action of each admin, on the admin's first record."""
    request = RequestFactory().get("/admin/")
    request.user = head_office_user
    posts = []
    for model, model_admin in admin.site._registry.items():
        record = model._default_manager.order_by("pk").first()
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(request):
            selected = [record.pk] if record else []
            posts.append(
                (changelist, {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: selected})
            )
    return posts


def everything_in_the_admin() -> dict[str, list[dict]]:
    """Every row of every model the admin shows, to see that a refused request changed none."""
    return {
        model._meta.label: [model_to_dict(row) for row in model._default_manager.order_by("pk")]
        for model in admin.site._registry
    }


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN_PAGES)


def refused(response) -> bool:
    return response.status_code == 403 or sent_to_sign_in(response)


@pytest.mark.parametrize("role", ROLES)
def test_a_teller_or_a_lobby_manager_opens_no_admin_page(lobby, role):  # noqa: F811
    client = factories.signed_in(staff_of(lobby, role, username="staff"), second_factor=False)
    opened = []
    for page in every_admin_page():
        response = client.get(page)
        if not refused(response):
            opened.append(f"{page} ({response.status_code})")
    assert not opened, "opened for a " + role + ":\n" + "\n".join(opened)


@pytest.mark.parametrize("role", ROLES)
def test_a_teller_or_a_lobby_manager_changes_nothing_through_the_admin(
    lobby,  # noqa: F811
    head_office_user,
    role,
):
    client = factories.signed_in(staff_of(lobby, role, username="staff"), second_factor=False)
    before = everything_in_the_admin()
    accepted = []
    for changelist, post in every_admin_action(head_office_user):
        response = client.post(changelist, post)
        if not refused(response):
            accepted.append(f"{post['action']} at {changelist} ({response.status_code})")
    for page in every_admin_page():
        response = client.post(page, {"post": "yes", "name": "changed", "is_active": "on"})
        if not refused(response):
            accepted.append(f"POST {page} ({response.status_code})")
    assert not accepted, "accepted from a " + role + ":\n" + "\n".join(accepted)
    assert everything_in_the_admin() == before


def test_the_admin_actions_are_all_walked(lobby, head_office_user):  # noqa: F811
    actions = {post["action"] for _, post in every_admin_action(head_office_user)}
    assert {"delete_selected", "cancel_appointments", "rotate_key"} <= actions


@pytest.mark.parametrize("role", ROLES)
def test_a_teller_cannot_open_reserved_cash_in_the_admin(lobby, role):  # noqa: F811
    client = factories.signed_in(staff_of(lobby, role, username="staff"), second_factor=False)
    response = client.get(reverse("admin:queueing_appointment_reserved_cash"), follow=True)
    assert "80,000.00" not in response.text
    appointments = client.get(reverse("admin:queueing_appointment_changelist"), follow=True)
    assert "13812345678" not in appointments.text and "80,000.00" not in appointments.text


def test_a_teller_who_passed_a_second_factor_cannot_open_the_admin_either(lobby):  # noqa: F811
    client = factories.signed_in(staff_of(lobby, StaffMembership.Role.TELLER, username="staff"))
    response = client.get(reverse("admin:queueing_appointment_reserved_cash"), follow=True)
    assert "80,000.00" not in response.text


def test_head_office_with_a_verified_second_factor_opens_every_admin_page(
    lobby,  # noqa: F811
    head_office_user,
):
    # Records for the sign-in's own admin pages: a failed sign-in and a successful one.
    Client().post("/accounts/login/", {"username": "teller-x", "password": "guess"})
    Client().post(
        "/accounts/login/",
        {"username": lobby.memberships.first().user.username, "password": "pw-for-tests-only"},
    )
    client = factories.signed_in(head_office_user)
    failed = []
    for page in every_admin_page():
        response = client.get(page)
        # The site sends whoever it refuses to sign in. A 403 is a page's own rule (records only
        # services write cannot be added here), but every list, record and history opens.
        must_open = page.endswith(("/change/", "/history/")) or page.count("/") == 4
        if (
            sent_to_sign_in(response)
            or response.status_code >= 500
            or (must_open and response.status_code != 200)
        ):
            failed.append(f"{page} ({response.status_code})")
    assert not failed, "refused head office:\n" + "\n".join(failed)
    page = client.get(reverse("admin:queueing_appointment_reserved_cash"))
    assert page.status_code == 200 and "80,000.00" in page.text


def test_head_office_whose_second_factor_is_not_verified_is_sent_to_sign_in(
    lobby,  # noqa: F811
    head_office_user,
):
    factories.make_totp_device(head_office_user)
    client = factories.signed_in(head_office_user, second_factor=False)
    response = client.get(reverse("admin:queueing_appointment_reserved_cash"))
    assert refused(response)
    assert "80,000.00" not in client.get(response["Location"], follow=True).text


def test_the_admins_login_page_sends_everyone_to_the_one_sign_in_form(db):
    response = Client().get("/admin/login/?next=/admin/queueing/branch/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/queueing/branch/"
    assert Client().get("/admin/")["Location"].startswith("/admin/login/")


def test_the_admins_login_form_signs_nobody_in(db, head_office_user):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "head", "password": "pw-for-tests-only"}
    )
    assert refused(response)
    assert refused(client.get(reverse("admin:index")))


def test_appointments_in_the_admin_are_still_cancelled_by_head_office(
    lobby,  # noqa: F811
    head_office_user,
):
    appointment = Appointment.objects.get()
    client = factories.signed_in(head_office_user)
    client.post(
        reverse("admin:queueing_appointment_changelist"),
        {"action": "cancel_appointments", admin.helpers.ACTION_CHECKBOX_NAME: [appointment.pk]},
    )
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
