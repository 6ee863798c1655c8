"""/api/v1/webhooks over real HTTP, and every API request in the activity log."""

from __future__ import annotations

import json

import pytest
from api_checks import assert_problem
from api_fixtures import ApiClient, new_key
from sqlalchemy import select

from smsbox.models import ActivityEntry, WebhookEndpoint

LAN_URL = "http://192.168.1.20/sms"


@pytest.fixture
def admin(api_base, sessions) -> ApiClient:
    return ApiClient(api_base, new_key(sessions, "ops", scope="admin"))


def test_an_admin_key_adds_lists_and_removes_webhooks(admin, sessions):
    added = admin.post("/webhooks", {"url": LAN_URL, "events": ["message.received"]})
    assert added.status == 201, added.raw
    created = added.json
    assert created["secret"].startswith("whsec_") and created["events"] == ["message.received"]
    assert created["created_by"] == "api:ops" and created["enabled"] is True

    listed = admin.get("/webhooks").json["webhooks"]
    assert [webhook["url"] for webhook in listed] == [LAN_URL]
    assert "secret" not in listed[0]
    deliveries = admin.get(f"/webhooks/{created['id']}/deliveries")
    assert deliveries.status == 200 and deliveries.json == {"deliveries": []}

    assert admin.delete(f"/webhooks/{created['id']}").status == 204
    assert_problem(admin.delete(f"/webhooks/{created['id']}"), 404, "not-found")
    with sessions() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    ("body", "status", "kind", "field"),
    [
        ({"url": "ftp://192.168.1.20/", "events": ["call.received"]}, 422, "invalid-url", "url"),
        ({"url": "http://127.0.0.1:9/", "events": ["call.received"]}, 422, "invalid-url", "url"),
        (
            {"url": "http://169.254.169.254/", "events": ["call.received"]},
            422,
            "invalid-url",
            "url",
        ),
        ({"url": LAN_URL, "events": []}, 400, "invalid-request", "events"),
        ({"url": LAN_URL, "events": ["sms.received"]}, 400, "invalid-request", "events[0]"),
        ({"url": LAN_URL}, 400, "invalid-request", "events"),
        (
            {"url": LAN_URL, "events": ["call.received"], "secret": "x"},
            400,
            "invalid-request",
            "secret",
        ),
        ({"url": 5, "events": ["call.received"]}, 400, "invalid-request", "url"),
    ],
)
def test_a_bad_webhook_gets_its_problem_and_nothing_is_added(
    admin, sessions, body, status, kind, field
):
    assert_problem(admin.post("/webhooks", body), status, kind, field)
    with sessions() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_an_admin_key_may_allow_a_url_on_the_box(admin):
    answer = admin.post(
        "/webhooks",
        {"url": "http://127.0.0.1:9/", "events": ["call.received"], "allow_private": True},
    )
    assert answer.status == 201 and answer.json["allow_private"] is True


def test_only_an_admin_key_touches_webhooks(api):
    assert_problem(api.get("/webhooks"), 403, "forbidden")
    assert_problem(
        api.post("/webhooks", {"url": LAN_URL, "events": ["call.received"]}), 403, "forbidden"
    )
    assert_problem(api.delete("/webhooks/1"), 403, "forbidden")


def test_the_openapi_document_describes_the_webhooks(api_base):
    document = ApiClient(api_base).get("/openapi.json").json
    assert {"get", "post"} <= set(document["paths"]["/webhooks"])
    assert "delete" in document["paths"]["/webhooks/{webhook_id}"]
    assert "NewWebhookOut" in document["components"]["schemas"]


def test_every_request_of_a_key_is_in_the_activity_log(api, api_base, sessions):
    api.get("/messages")
    api.get("/messages/999")
    api.get("/webhooks")
    api.post("/messages", {"to": "0611111111", "text": "x"})
    ApiClient(api_base, "smsbox_000000000000_" + "x" * 43).get("/messages")  # nobody's key

    with sessions() as session:
        logged = session.execute(
            select(ActivityEntry.actor, ActivityEntry.subject, ActivityEntry.details)
            .where(ActivityEntry.action == "api_request")
            .order_by(ActivityEntry.id)
        ).all()
    assert [(actor, subject, json.loads(details)) for actor, subject, details in logged] == [
        ("api:crm", "GET /api/v1/messages", {"status": 200}),
        ("api:crm", "GET /api/v1/messages/999", {"status": 404}),
        ("api:crm", "GET /api/v1/webhooks", {"status": 403}),
        ("api:crm", "POST /api/v1/messages", {"status": 201}),
    ]
