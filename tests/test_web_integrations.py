"""The admin pages for API keys and webhooks: keys and secrets shown once, changes
logged, every bad input a clear 4xx, operators refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in
from test_web_admin import HOSTILE
from web_fixtures import PASSWORD

from smsbox import apikeys
from smsbox.activity import entries
from smsbox.models import Direction, Message, Status, WebhookDelivery, WebhookEndpoint
from smsbox.users import create_user

PAGES = ("/admin/apikeys", "/admin/webhooks", "/admin/webhooks/1")
POSTS = (
    "/admin/apikeys",
    "/admin/apikeys/revoke",
    "/admin/webhooks",
    "/admin/webhooks/1/enabled",
    "/admin/webhooks/1/remove",
    "/admin/webhooks/deliveries/1/replay",
)
LAN_URL = "http://192.168.1.20/sms"


@pytest.fixture
def admin(client, sessions):
    with sessions() as session:
        create_user(session, "root", PASSWORD, admin=True, language="en")
        session.commit()
    log_in(client, "root")
    return client


@pytest.mark.parametrize(
    ("method", "path"), [("GET", path) for path in PAGES] + [("POST", path) for path in POSTS]
)
def test_an_operator_gets_403_on_every_integration_url(client, method, path):
    log_in(client)
    token = csrf_token(client, "/messages/send")
    assert client.open(path, method=method, headers={"X-CSRFToken": token}).status_code == 403


def create_key(admin, **fields):
    token = csrf_token(admin, "/admin/apikeys")
    form = {"csrf_token": token, "name": "crm", "scope": "read", "user": ""} | fields
    return admin.post("/admin/apikeys", data=form)


def test_an_admin_creates_a_key_shown_once_and_revokes_it(admin, sessions):
    created = create_key(admin, name=HOSTILE, expires="2099-01-31", user="root")
    page = created.get_data(as_text=True)
    assert created.status_code == 200
    token = re.search(r'id="created-key">([^<]+)<', page).group(1)
    assert HOSTILE not in page and "&lt;script&gt;" in page
    with sessions() as session:
        caller = apikeys.authenticate(session, token)
        assert (caller.name, caller.scope) == (HOSTILE, "read")
    assert token not in admin.get("/admin/apikeys").get_data(as_text=True)

    revoke_token = csrf_token(admin, "/admin/apikeys")
    revoked = admin.post(
        "/admin/apikeys/revoke", data={"csrf_token": revoke_token, "name": HOSTILE}
    )
    assert revoked.status_code == 302
    with sessions() as session:
        assert apikeys.authenticate(session, token) is None
        logged = [entry.action for entry in entries(session, search="root")]
    assert {"apikey_created", "apikey_revoked"} <= set(logged)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"name": ""}, "Enter a name."),
        ({"scope": "root"}, "Not a valid choice"),
        ({"user": "nobody"}, "Not a valid choice"),
        ({"expires": "2001-01-01"}, "the expiry date has passed already"),
        ({"expires": "tomorrow"}, "Not a valid date value"),
    ],
)
def test_a_bad_key_form_is_refused_with_its_reason(admin, fields, said):
    answer = create_key(admin, **fields)
    assert answer.status_code == 400
    assert said in answer.get_data(as_text=True)


def test_a_key_of_the_same_name_twice_is_refused(admin):
    assert create_key(admin).status_code == 200
    second = create_key(admin)
    assert second.status_code == 400
    assert "a key named &#39;crm&#39; exists already" in second.get_data(as_text=True)


def test_revoking_an_unknown_key_is_404(admin):
    token = csrf_token(admin, "/admin/apikeys")
    answer = admin.post("/admin/apikeys/revoke", data={"csrf_token": token, "name": "nothing"})
    assert answer.status_code == 404


def add_webhook(admin, **fields):
    token = csrf_token(admin, "/admin/webhooks")
    form = {"csrf_token": token, "url": LAN_URL, "events": ["message.received"]} | fields
    return admin.post("/admin/webhooks", data=form)


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_deliveries(admin, sessions):
    added = add_webhook(admin, events=["message.received", "call.received"])
    page = added.get_data(as_text=True)
    assert added.status_code == 200
    secret = re.search(r'id="added-secret">([^<]+)<', page).group(1)
    assert secret.startswith("whsec_")
    listing = admin.get("/admin/webhooks").get_data(as_text=True)
    assert LAN_URL in listing and secret not in listing
    with sessions() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.events == "message.received,call.received"
        session.add(
            Message(
                direction=Direction.INBOUND,
                number="+33612345678",
                raw_number="0612345678",
                body=HOSTILE,
                status=Status.RECEIVED,
            )
        )
        session.commit()
        (delivery,) = session.scalars(select(WebhookDelivery)).all()

    detail = admin.get(f"/admin/webhooks/{endpoint.id}")
    assert detail.status_code == 200
    assert "message.received" in detail.get_data(as_text=True)
    assert "not tried yet" in detail.get_data(as_text=True)

    token = csrf_token(admin, f"/admin/webhooks/{endpoint.id}")
    replayed = admin.post(
        f"/admin/webhooks/deliveries/{delivery.id}/replay", data={"csrf_token": token}
    )
    assert replayed.status_code == 302
    with sessions() as session:
        assert len(session.scalars(select(WebhookDelivery)).all()) == 2


def test_an_admin_disables_enables_and_removes_a_webhook(admin, sessions):
    add_webhook(admin)
    with sessions() as session:
        endpoint_id = session.scalars(select(WebhookEndpoint.id)).one()
    token = csrf_token(admin, "/admin/webhooks")
    base = f"/admin/webhooks/{endpoint_id}"
    disabled = admin.post(f"{base}/enabled", data={"csrf_token": token, "enabled": "0"})
    assert disabled.status_code == 302
    with sessions() as session:
        assert session.get(WebhookEndpoint, endpoint_id).enabled is False
    assert (
        admin.post(f"{base}/enabled", data={"csrf_token": token, "enabled": "1"}).status_code == 302
    )
    assert (
        admin.post(f"{base}/enabled", data={"csrf_token": token, "enabled": "x"}).status_code == 400
    )
    assert admin.post(f"{base}/remove", data={"csrf_token": token}).status_code == 302
    with sessions() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []
        logged = {entry.action for entry in entries(session, search="root")}
    assert {"webhook_added", "webhook_changed", "webhook_removed"} <= logged


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"url": "ftp://192.168.1.20/"}, "is not an http or https URL"),
        ({"url": "http://127.0.0.1:9/"}, "only an admin may allow that"),
        ({"url": ""}, "Enter a URL."),
        ({"events": []}, "choose at least one event"),
        ({"events": ["sms.received"]}, "is not a valid choice"),
        ({"url": "http://" + "a" * 2000}, "Field cannot be longer"),
    ],
)
def test_a_bad_webhook_form_is_refused_with_its_reason(admin, sessions, fields, said):
    answer = add_webhook(admin, **fields)
    assert answer.status_code == 400
    assert said in answer.get_data(as_text=True)
    with sessions() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_an_admin_may_allow_a_webhook_on_the_box(admin):
    assert add_webhook(admin, url="http://127.0.0.1:9/", allow_private="y").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/webhooks/99",
        "/admin/webhooks/99/enabled",
        "/admin/webhooks/99/remove",
        "/admin/webhooks/deliveries/99/replay",
    ],
)
def test_an_unknown_webhook_or_delivery_is_404(admin, path):
    token = csrf_token(admin, "/admin/webhooks")
    method = "GET" if path.count("/") == 3 else "POST"
    answer = admin.open(path, method=method, data={"csrf_token": token, "enabled": "1"})
    assert answer.status_code == 404


def test_a_post_without_its_csrf_token_is_refused(admin):
    assert admin.post("/admin/webhooks", data={"url": LAN_URL}).status_code == 400
