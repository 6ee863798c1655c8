"""The HTTP API over real HTTP (waitress), without a daemon: what it accepts, what it
refuses and how, and that nothing is queued twice or half."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from api_fixtures import ApiClient, new_key, serving
from message_rows import message
from openapi_spec_validator import validate
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smsbox import account_settings
from smsbox.activity import COMMAND_LINE, Action, details_of, entries
from smsbox.apikeys import revoke_key
from smsbox.config import ApiConfig
from smsbox.models import (
    ActivityEntry,
    ApiKey,
    Direction,
    IncomingCall,
    Message,
    MessagePart,
    Status,
)
from smsbox.optouts import opt_out
from smsbox.quotas import Quotas
from smsbox.users import create_user

PROBLEM = "application/problem+json"


def stored_message(
    number: str = "+33612345678",
    body: str = "x",
    created_at: datetime | None = None,
    *,
    direction: Direction = Direction.OUTBOUND,
    status: Status | None = None,
    parts: tuple[Status, ...] = (),
) -> Message:
    row = message(number, body, created_at or datetime.now(UTC), direction=direction, status=status)
    row.parts = [
        MessagePart(part_number=number, status=state, pdu="00", attempts=1)
        for number, state in enumerate(parts, start=1)
    ]
    return row


def queued(sessions) -> list[Message]:
    with sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def logged_but(sessions, action: str, *columns) -> list[tuple]:
    """`columns` of the activity entries of every other action, oldest first."""
    with sessions() as session:
        query = select(*columns).where(ActivityEntry.action != action)
        return [tuple(row) for row in session.execute(query.order_by(ActivityEntry.id))]


def assert_problem(answer, status: int, kind: str, field: str | None = None) -> dict:
    assert answer.status == status, answer.raw
    assert answer.media_type == PROBLEM
    document = answer.json
    assert document["type"] == f"/api/v1/docs#problem-{kind}"
    assert document["status"] == status
    assert document["title"] and document["detail"]
    assert document.get("field") == field
    return document


def test_it_queues_one_message_per_recipient_and_answers_with_them(api, sessions):
    answer = api.post(
        "/messages",
        {
            "to": ["06 12 34 56 78", "+447700900123"],
            "text": "Rappel: RDV demain 9h",
            "callback_data": "booking-42",
        },
    )

    assert answer.status == 201
    sent = answer.json["messages"]
    assert [m["number"] for m in sent] == ["+33612345678", "+447700900123"]
    assert {m["status"] for m in sent} == {"queued"}
    assert {m["callback_data"] for m in sent} == {"booking-42"}
    rows = queued(sessions)
    assert [(m.id, m.number, m.body, m.callback_data) for m in rows] == [
        (m["id"], m["number"], "Rappel: RDV demain 9h", "booking-42") for m in sent
    ]


def test_it_takes_a_single_number_as_a_string(api, sessions):
    answer = api.post("/messages", {"to": "0612345678", "text": "Bonjour"})
    assert answer.status == 201
    assert [m.number for m in queued(sessions)] == ["+33612345678"]


def test_it_schedules_a_message_for_a_time_given_in_rfc_3339(api, sessions):
    later = datetime.now(UTC) + timedelta(hours=2)
    answer = api.post(
        "/messages", {"to": "0612345678", "text": "plus tard", "send_at": later.isoformat()}
    )

    assert answer.status == 201
    (message,) = answer.json["messages"]
    assert message["status"] == "scheduled"
    (row,) = queued(sessions)
    assert row.status == Status.SCHEDULED
    assert abs(row.scheduled_at - later) < timedelta(milliseconds=1)


def test_it_sends_at_once_a_message_scheduled_in_the_past(api, sessions):
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    answer = api.post("/messages", {"to": "0612345678", "text": "déjà", "send_at": past})
    assert answer.json["messages"][0]["status"] == "queued"


def test_it_queues_for_an_opted_out_number_and_says_the_daemon_will_block_it(api, sessions):
    with sessions() as session:
        opt_out(session, "+33612345678")
        session.commit()

    answer = api.post("/messages", {"to": ["0612345678", "0698765432"], "text": "Promo"})

    assert answer.status == 201
    assert [m["opted_out"] for m in answer.json["messages"]] == [True, False]


@pytest.mark.parametrize(
    ("body", "kind", "field"),
    [
        ({"to": ["0612345678", "06 12", "0698765432"], "text": "x"}, "invalid-number", "to[1]"),
        ({"to": ["0612345678", "not a number"], "text": "x"}, "invalid-number", "to[1]"),
        ({"to": "0612345678", "text": "   "}, "empty-text", "text"),
        ({"to": "0612345678", "text": "é" * 1601}, "too-long", "text"),
        ({"to": "0612345678", "text": "nul \x00 here"}, "invalid-text", "text"),
        ({"to": "0612345678", "text": "x", "modem": "nope"}, "unknown-modem", "modem"),
    ],
)
def test_it_refuses_a_bad_message_naming_the_field_and_queues_nothing(
    api, sessions, body, kind, field
):
    assert_problem(api.post("/messages", body), 422, kind, field)
    assert queued(sessions) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x"}, "to"),
        ({"to": "0612345678"}, "text"),
        ({"to": 612345678, "text": "x"}, "to"),
        ({"to": ["0612345678", 5], "text": "x"}, "to[1]"),
        ({"to": [], "text": "x"}, "to"),
        ({"to": ["0612345678"] * 101, "text": "x"}, "to"),
        ({"to": "0612345678", "text": 42}, "text"),
        ({"to": "0612345678", "text": "x", "send_at": "tomorrow"}, "send_at"),
        ({"to": "0612345678", "text": "x", "send_at": "2030-01-01T10:00:00"}, "send_at"),
        ({"to": "0612345678", "text": "x", "priority": "high"}, "priority"),
        ({"to": "0612345678", "text": "x", "callback_data": "c" * 1025}, "callback_data"),
    ],
)
def test_it_refuses_a_body_not_as_described_naming_the_field(api, sessions, body, field):
    document = assert_problem(api.post("/messages", body), 400, "invalid-request", field)
    assert field in {error["field"] for error in document["errors"]}
    assert queued(sessions) == []


def test_it_names_an_unknown_field_as_such(api):
    answer = api.post("/messages", {"to": "0612345678", "text": "x", "txt": "y"})
    assert assert_problem(answer, 400, "invalid-request", "txt")["errors"] == [
        {"field": "txt", "detail": "unknown field"}
    ]


@pytest.mark.parametrize("raw", [b"{", b"not json", b"", b'{"to": "06", "text": "x"]'])
def test_it_refuses_a_body_that_is_not_json(api, raw):
    assert_problem(api.post("/messages", raw=raw), 400, "invalid-request")


def test_it_refuses_a_body_that_is_not_sent_as_json(api, sessions):
    answer = api.post(
        "/messages", raw=b"to=0612345678&text=x", headers={"Content-Type": "text/plain"}
    )
    assert_problem(answer, 415, "unsupported-media-type")
    assert queued(sessions) == []


@pytest.mark.parametrize("size", [64 * 1024 + 1, 1_000_000])
def test_it_refuses_a_body_over_64_kib(api, sessions, size):
    body = json.dumps({"to": "0612345678", "text": "x" * size}).encode()
    assert_problem(api.post("/messages", raw=body), 413, "payload-too-large")
    assert queued(sessions) == []


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


def test_it_answers_the_same_request_with_the_same_idempotency_key_once(api, sessions):
    body = {"to": ["0612345678", "0698765432"], "text": "une seule fois"}
    headers = {"Idempotency-Key": "order-1234"}

    first = api.post("/messages", body, headers=headers)
    again = api.post("/messages", body, headers=headers)

    assert first.status == again.status == 201
    assert first.json == again.json
    assert len(queued(sessions)) == 2
    other = api.post("/messages", body, headers={"Idempotency-Key": "order-1235"})
    assert other.status == 201
    assert len(queued(sessions)) == 4


def test_it_refuses_an_idempotency_key_reused_with_another_body(api, sessions):
    headers = {"Idempotency-Key": "order-1234"}
    api.post("/messages", {"to": "0612345678", "text": "un"}, headers=headers)

    answer = api.post("/messages", {"to": "0612345678", "text": "deux"}, headers=headers)

    assert_problem(answer, 409, "conflict", "Idempotency-Key")
    assert [m.body for m in queued(sessions)] == ["un"]


def test_it_keeps_idempotency_keys_apart_between_api_keys(api, api_base, sessions):
    other = ApiClient(api_base, new_key(sessions, "other"))
    headers = {"Idempotency-Key": "1"}
    api.post("/messages", {"to": "0612345678", "text": "un"}, headers=headers)
    assert (
        other.post("/messages", {"to": "0612345678", "text": "deux"}, headers=headers).status == 201
    )
    assert len(queued(sessions)) == 2


def test_it_records_no_answer_for_a_refused_request(api, sessions):
    headers = {"Idempotency-Key": "k"}
    assert api.post("/messages", {"to": "06", "text": "x"}, headers=headers).status == 422
    assert api.post("/messages", {"to": "0612345678", "text": "x"}, headers=headers).status == 201


def test_it_lists_messages_newest_first_page_by_page_with_filters(api, sessions):
    with sessions() as session:
        base = datetime(2026, 11, 1, 12, tzinfo=UTC)
        for index in range(5):
            session.add(
                stored_message(
                    direction=Direction.INBOUND,
                    number="+33612345678",
                    body=f"in {index}",
                    created_at=base + timedelta(hours=index),
                )
            )
        session.add(stored_message(number="+33698765432", body="out", created_at=base))
        session.commit()

    first = api.get("/messages?direction=in&limit=2").json
    assert [m["text"] for m in first["messages"]] == ["in 4", "in 3"]
    second = api.get(f"/messages?direction=in&limit=2&cursor={first['next_cursor']}").json
    assert [m["text"] for m in second["messages"]] == ["in 2", "in 1"]
    last = api.get(f"/messages?direction=in&limit=2&cursor={second['next_cursor']}").json
    assert [m["text"] for m in last["messages"]] == ["in 0"]
    assert last["next_cursor"] is None

    since = (base + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    until = (base + timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    window = api.get(f"/messages?since={since}&until={until}").json["messages"]
    assert [m["text"] for m in window] == ["in 2", "in 1"]
    assert [m["text"] for m in api.get("/messages?number=06+98+76+54+32").json["messages"]] == [
        "out"
    ]
    assert [m["text"] for m in api.get("/messages?status=sent").json["messages"]] == ["out"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("direction=sideways", "direction"),
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("since=yesterday", "since"),
        ("cursor=12-x", "cursor"),
        ("colour=blue", "colour"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_it_refuses_a_bad_list_query_naming_the_parameter(api, query, field):
    assert_problem(api.get(f"/messages?{query}"), 400, "invalid-request", field)


def test_it_shows_one_message_with_its_parts(api, sessions):
    with sessions() as session:
        row = stored_message(status=Status.SENT, parts=(Status.SENT, Status.SENT))
        session.add(row)
        session.commit()
        message_id = row.id

    shown = api.get(f"/messages/{message_id}").json
    assert shown["id"] == message_id
    assert [part["number"] for part in shown["parts"]] == [1, 2]
    assert {part["status"] for part in shown["parts"]} == {"sent"}
    assert_problem(api.get("/messages/999999"), 404, "not-found")


def test_it_cancels_a_queued_or_scheduled_message_and_nothing_that_left(api, sessions):
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    queued_id = api.post("/messages", {"to": "0612345678", "text": "a"}).json["messages"][0]["id"]
    scheduled_id = api.post("/messages", {"to": "0612345678", "text": "b", "send_at": later}).json[
        "messages"
    ][0]["id"]
    with sessions() as session:
        sending = stored_message(status=Status.SENDING)
        # Put back in the queue after its part 2 was refused: part 1 is on the air.
        resumed = stored_message(status=Status.QUEUED, parts=(Status.SENT, Status.QUEUED))
        session.add_all([sending, resumed])
        inbound = stored_message(direction=Direction.INBOUND)
        session.add(inbound)
        session.commit()
        ids = sending.id, resumed.id, inbound.id

    assert api.delete(f"/messages/{queued_id}").status == 204
    assert api.delete(f"/messages/{scheduled_id}").status == 204
    assert_problem(api.delete(f"/messages/{ids[0]}"), 409, "conflict")
    assert_problem(api.delete(f"/messages/{ids[1]}"), 409, "conflict")
    assert_problem(api.delete(f"/messages/{ids[2]}"), 404, "not-found")
    assert api.delete(f"/messages/{queued_id}").status == 204, "a retry finds it cancelled"
    assert_problem(api.delete("/messages/999999"), 404, "not-found")
    statuses = {m.id: m.status for m in queued(sessions)}
    assert statuses[queued_id] == statuses[scheduled_id] == Status.CANCELLED
    assert [statuses[i] for i in ids] == [Status.SENDING, Status.QUEUED, Status.RECEIVED]
    assert api.get(f"/messages/{scheduled_id}").json["status"] == "cancelled"


def test_a_cancelled_reply_to_a_call_stays_linked_to_the_call(api, sessions, modem_id):
    answer = api.post("/messages", {"to": "0612345678", "text": "rappel"})
    message_id = answer.json["messages"][0]["id"]
    with sessions() as session:
        session.add(
            IncomingCall(
                number="+33612345678",
                modem_id=modem_id,
                reply_message_id=message_id,
                received_at=datetime.now(UTC),
            )
        )
        session.commit()
    assert api.delete(f"/messages/{message_id}").status == 204
    with sessions() as session:
        assert session.scalar(select(IncomingCall.reply_message_id)) == message_id
        assert session.get(Message, message_id).status == Status.CANCELLED


def test_it_manages_the_stop_list(api_base, sessions):
    admin = ApiClient(api_base, new_key(sessions, "ops", scope="admin"))
    added = admin.post("/optouts", {"number": "06 12 34 56 78"})
    assert added.status == 201
    assert added.json["number"] == "+33612345678"
    assert admin.post("/optouts", {"number": "0612345678"}).status == 201  # once
    assert [e["number"] for e in admin.get("/optouts").json["optouts"]] == ["+33612345678"]
    assert_problem(admin.post("/optouts", {"number": "12"}), 422, "invalid-number", "number")
    assert admin.delete("/optouts/0612345678").status == 204
    assert_problem(admin.delete("/optouts/0612345678"), 404, "not-found")
    assert admin.get("/optouts").json["optouts"] == []


def test_it_lists_conversations_and_reads_one(api, sessions):
    with sessions() as session:
        base = datetime(2026, 11, 1, 12, tzinfo=UTC)
        for index, number in enumerate(["+33611111111", "+33622222222", "+33611111111"]):
            session.add(
                stored_message(
                    direction=Direction.INBOUND,
                    number=number,
                    body=f"m{index}",
                    created_at=base + timedelta(minutes=index),
                )
            )
        session.commit()

    page = api.get("/conversations?limit=1").json
    assert [(c["number"], c["unread"]) for c in page["conversations"]] == [("+33611111111", 2)]
    rest = api.get(f"/conversations?limit=1&cursor={page['next_cursor']}").json
    assert [c["number"] for c in rest["conversations"]] == ["+33622222222"]
    one = api.get("/conversations/+33611111111").json
    assert [m["text"] for m in one["messages"]] == ["m0", "m2"]
    assert api.get("/conversations/0611111111").json == one
    assert_problem(api.get("/conversations/+33699999999"), 404, "not-found")
    assert_problem(api.get("/conversations?cursor=x"), 400, "invalid-request", "cursor")


def test_it_lists_calls_and_modems(api, sessions, modem_id):
    with sessions() as session:
        session.add(
            IncomingCall(
                number="+33612345678",
                raw_number="0612345678",
                modem_id=modem_id,
                received_at=datetime.now(UTC),
                rings=3,
            )
        )
        session.commit()
    (call,) = api.get("/calls").json["calls"]
    assert (call["number"], call["rings"]) == ("+33612345678", 3)
    assert [m["name"] for m in api.get("/modems").json["modems"]] == ["sim1"]
    assert "imsi" not in api.get("/modems").json["modems"][0]


def test_it_answers_unknown_addresses_and_methods_with_problems(api):
    assert_problem(api.get("/nowhere"), 404, "not-found")
    assert_problem(api.request("PUT", "/messages"), 405, "method-not-allowed")


def test_it_describes_itself_in_openapi_3_1_and_on_a_page_without_a_key(api_base):
    client = ApiClient(api_base)
    document = client.get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on a document OpenAPI 3.1 does not allow
    assert set(document["paths"]) >= {"/messages", "/messages/{message_id}", "/optouts/{number}"}
    send = document["paths"]["/messages"]["post"]
    assert send["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SendRequest"
    }
    assert {"201", "400", "401", "403", "409", "413", "422", "429"} <= set(send["responses"])
    text = json.dumps(document)
    for reference in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert reference.removeprefix("#/components/schemas/") in document["components"]["schemas"]

    page = client.get("/docs")
    assert page.status == 200
    html = page.raw.decode()
    assert "POST /messages" in html and 'id="problem-invalid-number"' in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_it_counts_every_message_it_queued_in_the_database(api, sessions):
    # The answer and the database agree: no message was queued and not reported.
    ids = [
        m["id"]
        for m in api.post("/messages", {"to": ["0611111111"] * 3, "text": "x"}).json["messages"]
    ]
    with sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == len(ids) == 3


def test_it_queues_once_when_the_same_idempotent_request_comes_several_times_at_once(api, sessions):
    body = {"to": "0612345678", "text": "en même temps"}
    headers = {"Idempotency-Key": "race"}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: api.post("/messages", body, headers=headers), range(6)))

    assert {answer.status for answer in answers} == {201}
    assert len({answer.raw for answer in answers}) == 1
    assert len(queued(sessions)) == 1


def test_it_refuses_an_idempotency_key_too_long(api, sessions):
    answer = api.post(
        "/messages", {"to": "0612345678", "text": "x"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert_problem(answer, 400, "invalid-request", "Idempotency-Key")
    assert queued(sessions) == []


def test_it_finds_the_messages_of_a_sender_that_is_a_name(api, sessions):
    with sessions() as session:
        session.add(
            stored_message(number="ORANGE", body="Votre forfait", direction=Direction.INBOUND)
        )
        session.add(stored_message(number="+33612345678", direction=Direction.INBOUND))
        session.commit()
    found = api.get("/messages?number=ORANGE").json["messages"]
    assert [m["text"] for m in found] == ["Votre forfait"]


def test_it_refuses_a_send_over_the_accounts_cap_and_queues_nothing(api, sessions):
    with sessions() as session:
        account_settings.save(
            session, account_settings.QUOTAS, Quotas(account_daily=2), COMMAND_LINE
        )
        session.commit()

    answer = api.post("/messages", {"to": ["0611111111", "0622222222", "0633333333"], "text": "x"})

    assert_problem(answer, 403, "quota-exceeded")
    assert queued(sessions) == []
    with sessions() as session:
        (entry,) = entries(session, action=Action.SEND_REFUSED)
    assert (entry.actor, details_of(entry)["recipients"]) == ("api:crm", 3)
    assert api.post("/messages", {"to": ["0611111111", "0622222222"], "text": "x"}).status == 201


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


def test_it_marks_a_commercial_message_as_such(api, sessions):
    api.post("/messages", {"to": "0611111111", "text": "Promo", "commercial": True})
    api.post("/messages", {"to": "0611111111", "text": "Code 1234"})
    assert [m.transactional for m in queued(sessions)] == [False, True]


def test_its_answers_neither_open_nor_vary_with_the_pages_cookie_session(api):
    answer = api.post("/messages", {"to": "0612345678", "text": "x"})
    assert answer.status == 201
    assert "Cookie" not in answer.headers.get("Vary", "")


def test_a_send_commits_its_messages_and_its_log_entries_at_once(api, sessions):
    api.get("/modems")  # the key's last use is written now, not by the send below
    commits = []
    count = commits.append
    event.listen(Session, "after_commit", count)
    try:
        answer = api.post("/messages", {"to": ["0611111111", "0622222222"], "text": "x"})
        again = api.post(
            "/messages", {"to": "0633333333", "text": "x"}, headers={"Idempotency-Key": "k"}
        )
    finally:
        event.remove(Session, "after_commit", count)
    assert (answer.status, again.status) == (201, 201)
    assert len(commits) == 2
    logged = logged_but(
        sessions,
        "messages_queued",
        ActivityEntry.action,
        ActivityEntry.subject,
        ActivityEntry.details,
    )
    assert [(action, subject, json.loads(details)) for action, subject, details in logged] == [
        ("api_request", "GET /api/v1/modems", {"status": 200}),
        ("api_request", "POST /api/v1/messages", {"status": 201}),
        ("api_request", "POST /api/v1/messages", {"status": 201}),
    ]


def test_a_send_that_fails_is_logged_with_its_failure_and_queues_nothing(
    api, sessions, monkeypatch
):
    from web.api import messages as api_messages

    def refused(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(api_messages.outbox, "queue_messages", refused)
    answer = api.post("/messages", {"to": "0611111111", "text": "x"})
    assert_problem(answer, 500, "server-error")
    assert queued(sessions) == []
    with sessions() as session:
        logged = session.execute(
            select(ActivityEntry.action, ActivityEntry.details).order_by(ActivityEntry.id)
        ).all()
    assert [(action, json.loads(details)) for action, details in logged] == [
        ("api_request", {"status": 500})
    ]


def test_on_sqlite_a_send_writes_holding_the_process_lock_of_writers(api, monkeypatch):
    """A send's threads take turns on a lock rather than in SQLite's busy handler; on
    PostgreSQL, which writes rows concurrently, they do not."""
    from databases import ON_POSTGRESQL

    from web import db
    from web.api import messages as api_messages

    held = []
    queue_messages = api_messages.outbox.queue_messages

    def noting_the_lock(*args, **kwargs):
        held.append(db._SQLITE_WRITER.locked())
        return queue_messages(*args, **kwargs)

    monkeypatch.setattr(api_messages.outbox, "queue_messages", noting_the_lock)
    for headers in ({}, {"Idempotency-Key": "first"}):
        answer = api.post("/messages", {"to": "0611111111", "text": "x"}, headers=headers)
        assert answer.status == 201
    assert held == [not ON_POSTGRESQL] * 2
    assert not db._SQLITE_WRITER.locked()
