"""Staff signing in: a teller, a head-office user, and how the sign-in form is posted."""

import pytest
from django.test import Client

from queueing.models import StaffMembership
from tests import factories

PASSWORD = "pw-for-tests-only"
# Documentation addresses (RFC 5737): what the server reads as the client's address.
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form, as a browser does, from the OFFICE address unless told."""
    extra.setdefault("REMOTE_ADDR", OFFICE)
    data = {"username": username, "password": password}
    if "next" in extra:
        data["next"] = extra.pop("next")
    return client.post("/accounts/login/", data, **extra)


def enter_code(client: Client, code: str, *, path: str = "/accounts/login/code/", **extra):
    """Post a code from the authenticator app: to the sign-in's code step, or to enrolment."""
    extra.setdefault("REMOTE_ADDR", OFFICE)
    return client.post(path, {"otp_token": code}, **extra)


def token_request(api, username: str, password: str = PASSWORD, *, otp_token=None, **extra):
    extra.setdefault("REMOTE_ADDR", OFFICE)
    body = {"username": username, "password": password}
    if otp_token is not None:
        body["otp_token"] = otp_token
    return api.post("/api/auth/token/", body, format="json", **extra)


@pytest.fixture
def head_office(db):
    user = factories.make_user("head", is_staff=True, is_superuser=True)
    StaffMembership.objects.create(user=user, role=StaffMembership.Role.HEAD_OFFICE)
    return user
