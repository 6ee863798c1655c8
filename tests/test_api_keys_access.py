"""The HTTP API's keys: 401 alike for every bad key, scopes, rate limits, no cookie
session, the user a key acts for, and the activity log of what a key did."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from api_checks import assert_problem, logged_but, queued
from api_fixtures import ApiClient, new_key, serving
from sqlalchemy import select

from smsbox.apikeys import revoke_key
from smsbox.config import ApiConfig
from smsbox.models import (
    ActivityEntry,
    ApiKey,
)
from smsbox.users import create_user


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer smsbox_nothex000000_" + "a" * 43,
        "Bearer smsbox_0123456789ab_" + "a" * 43,  # well formed, unknown
        "Bearer smsbox_0123456789ab_" + "a" * 42,
        "Bearer not-a-key",
    ],
)
def test_it_answers_401_the_same_way_to_every_missing_or_malformed_key(api, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    answer = api.get("/messages", headers=headers, key="")
    if authorization is None:
        answer = ApiClient(f"http://{api.address}").get("/messages")
    document = assert_problem(answer, 401, "unauthorised")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert document["detail"] == "send a valid API key: Authorization: Bearer smsbox_..."


def test_it_answers_a_revoked_an_expired_and_a_wrong_secret_key_as_an_unknown_one(
    api_base, sessions
):
    revoked = new_key(sessions, "old")
    with sessions() as session:
        revoke_key(session, "old")
        session.commit()
    expired = new_key(sessions, "short", expires_at=datetime.now(UTC) + timedelta(seconds=1))
    with sessions() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.name == "short"))
        key.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
    good = new_key(sessions, "good")
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    answers = [
        ApiClient(api_base, key).get("/messages") for key in (revoked, expired, wrong_secret)
    ]
    documents = [assert_problem(answer, 401, "unauthorised") for answer in answers]
    assert documents[0] == documents[1] == documents[2]
    assert ApiClient(api_base, good).get("/messages").status == 200


def test_it_refuses_what_a_keys_scope_does_not_allow(api_base, sessions):
    reader = ApiClient(api_base, new_key(sessions, "dashboard", scope="read"))
    sender = ApiClient(api_base, new_key(sessions, "crm", scope="send"))
    admin = ApiClient(api_base, new_key(sessions, "ops", scope="admin"))

    assert reader.get("/messages").status == 200
    assert_problem(reader.post("/messages", {"to": "0612345678", "text": "x"}), 403, "forbidden")
    assert_problem(reader.post("/optouts", {"number": "0612345678"}), 403, "forbidden")
    assert queued(sessions) == []
    assert sender.post("/optouts", {"number": "0612345678"}).status == 201
    assert_problem(sender.delete("/optouts/+33612345678"), 403, "forbidden")
    assert admin.delete("/optouts/+33612345678").status == 204
    assert admin.post("/messages", {"to": "0612345678", "text": "x"}).status == 201


def test_it_checks_the_scope_before_the_body(api_base, sessions):
    reader = ApiClient(api_base, new_key(sessions, "dashboard", scope="read"))
    assert_problem(reader.post("/messages", raw=b"{"), 403, "forbidden")


def test_it_counts_each_keys_requests_and_answers_429_with_retry_after(config, sessions):
    limited = dataclasses.replace(config, api=ApiConfig(rate_limit=3))
    with serving(limited, sessions) as base:
        first = ApiClient(base, new_key(sessions, "first"))
        second = ApiClient(base, new_key(sessions, "second"))
        assert [first.get("/modems").status for _ in range(3)] == [200, 200, 200]
        answer = first.get("/modems")
        assert_problem(answer, 429, "rate-limited")
        assert 1 <= int(answer.headers["Retry-After"]) <= 20  # a token every 20 s
        assert second.get("/modems").status == 200


def test_it_neither_needs_nor_opens_a_session_and_ignores_a_logged_in_cookie(
    api, api_base, sessions, app
):
    browser = app.test_client()
    browser.post("/login", data={"name": "alice", "password": "correct horse battery"})
    cookie = browser.get_cookie("session")
    assert cookie is not None
    # No CSRF token, a logged-in person's cookie: the cookie opens nothing here...
    answer = ApiClient(api_base).post(
        "/messages",
        {"to": "0612345678", "text": "x"},
        headers={"Cookie": f"session={cookie.value}"},
    )
    assert_problem(answer, 401, "unauthorised")
    # ...and the key needs no CSRF token, and gets no cookie.
    answer = api.post("/messages", {"to": "0612345678", "text": "x"})
    assert answer.status == 201
    assert "Set-Cookie" not in answer.headers


def test_it_acts_for_the_user_its_key_names(api_base, sessions):
    with sessions() as session:
        user = create_user(session, "bob", "correct horse battery")
        session.commit()
    client = ApiClient(api_base, new_key(sessions, "bob's script", user_name="bob"))
    client.post("/messages", {"to": "0612345678", "text": "x"})
    assert [m.created_by_id for m in queued(sessions)] == [user.id]


def test_it_records_when_a_key_was_last_used(api, sessions):
    with sessions() as session:
        assert session.scalar(select(ApiKey.last_used_at)) is None
    api.get("/modems")
    with sessions() as session:
        used = session.scalar(select(ApiKey.last_used_at))
    assert datetime.now(UTC) - used < timedelta(minutes=1)


def test_it_logs_what_a_key_changed_in_the_activity_log(api_base, sessions):
    admin = ApiClient(api_base, new_key(sessions, "ops", scope="admin"))
    sent = admin.post("/messages", {"to": ["0611111111", "0622222222"], "text": "x"})
    admin.post("/optouts", {"number": "0633333333"})
    admin.delete("/optouts/0633333333")
    admin.delete(f"/messages/{sent.json['messages'][0]['id']}")
    admin.get("/messages")

    logged = logged_but(
        sessions, "api_request", ActivityEntry.actor, ActivityEntry.action, ActivityEntry.subject
    )
    assert logged == [
        ("api:ops", "messages_queued", None),
        ("api:ops", "optout_added", "+33633333333"),
        ("api:ops", "optout_removed", "+33633333333"),
        ("api:ops", "message_cancelled", "+33611111111"),
    ]


def test_its_answers_neither_open_nor_vary_with_the_pages_cookie_session(api):
    answer = api.post("/messages", {"to": "0612345678", "text": "x"})
    assert answer.status == 201
    assert "Cookie" not in answer.headers.get("Vary", "")
