"""Finding a branch: live waits, city filter, nearest first; and the API's documentation."""

from datetime import time
from decimal import Decimal

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cities(db):
    made = {}
    for code, city_zh, city_en, lat, lng in [
        ("GZ-TH01", "广州", "Guangzhou", "23.135", "113.320"),
        ("FS-CC01", "佛山", "Foshan", "23.021", "113.121"),
        ("ST-LH01", "汕头", "Shantou", "23.371", "116.708"),
    ]:
        branch = factories.make_branch(
            code, city_zh=city_zh, city_en=city_en, latitude=Decimal(lat), longitude=Decimal(lng)
        )
        service = factories.make_service(branch, "A", name_zh="现金", name_en="Cash")
        factories.make_counter(branch, 1, [service], staffed=True)
        made[code] = service
    return made


def test_the_list_shows_each_branch_with_live_waits(api, three_cities):
    factories.issue(three_cities["FS-CC01"], 4)
    body = api.get("/api/branches/").json()
    assert [b["code"] for b in body] == ["FS-CC01", "GZ-TH01", "ST-LH01"]
    foshan = body[0]
    assert foshan["is_open"] is True
    assert foshan["services"] == [
        {
            "prefix": "A",
            "name": "Cash",
            "name_zh": "现金",
            "name_en": "Cash",
            "waiting": 4,
            "open_counters": 1,
            "estimated_wait_minutes": 20,
            "overtime_threshold_minutes": 30,
            "is_priority": False,
            "over_threshold": False,
            "takes_appointments": False,
            "appointment_slot_minutes": 30,
            "reserves_cash": False,
        }
    ]
    assert (foshan["peak_notice"], foshan["umbrellas_available"]) == (None, None)
    assert len(foshan["opening_hours"]) == 7


def test_the_city_filter_takes_chinese_or_english(api, three_cities):
    assert [b["code"] for b in api.get("/api/branches/", {"city": "汕头"}).json()] == ["ST-LH01"]
    assert [b["code"] for b in api.get("/api/branches/", {"city": "shantou"}).json()] == ["ST-LH01"]
    assert api.get("/api/branches/", {"city": "Beijing"}).json() == []


def test_near_sorts_by_distance_and_says_how_far(api, three_cities):
    body = api.get("/api/branches/", {"near": "23.37,116.70"}).json()  # in Shantou
    assert [b["code"] for b in body] == ["ST-LH01", "GZ-TH01", "FS-CC01"]
    assert body[0]["distance_km"] < 2
    assert 300 < body[2]["distance_km"] < 400


def test_names_follow_the_callers_language(api, three_cities):
    body = api.get("/api/branches/GZ-TH01/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (body["name"], body["city"], body["services"][0]["name"]) == ("天河支行", "广州", "现金")


def test_one_branch_by_code(api, three_cities):
    body = api.get("/api/branches/ST-LH01/").json()
    assert (body["code"], body["distance_km"]) == ("ST-LH01", None)


def test_an_unknown_branch_is_404(api, three_cities):
    response = api.get("/api/branches/XX-00/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_branch_outside_its_hours_shows_closed(api, db):
    factories.make_branch("FS-NH02", hours=(time(0), time(0, 1)))
    assert api.get("/api/branches/FS-NH02/").json()["is_open"] is False


def test_inactive_branches_are_not_listed(api, three_cities):
    from queueing.models import Branch

    Branch.objects.filter(code="ST-LH01").update(is_active=False)
    assert "ST-LH01" not in [b["code"] for b in api.get("/api/branches/").json()]
    assert api.get("/api/branches/ST-LH01/").status_code == 404


def test_the_openapi_schema_documents_every_core_endpoint(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/branches/",
        "/api/branches/{code}/",
        "/api/branches/{code}/counters/{number}/call-next/",
        "/api/tickets/",
        "/api/tickets/{token}/",
        "/api/tickets/{token}/cancel/",
        "/api/tickets/{token}/rating/",
        "/api/tickets/{token}/recall/",
        "/api/tickets/{token}/start/",
        "/api/tickets/{token}/finish/",
        "/api/tickets/{token}/no-show/",
        "/api/tickets/{token}/transfer/",
        "/api/auth/token/",
    ]:
        assert path in paths, path
    create = paths["/api/tickets/"]["post"]
    assert {"201", "400", "409", "422"} <= set(create["responses"])
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert set(schema["components"]["schemas"]["TicketCreateRequest"]["required"]) == {
        "branch",
        "service",
    }
    assert "kioskKey" in schema["components"]["securitySchemes"]


def test_the_api_docs_page_loads(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
