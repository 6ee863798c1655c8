"""The HTTP API's reading and managing: messages listed, shown and cancelled, the STOP
list, conversations, calls, modems, and the OpenAPI document."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from api_checks import assert_problem, queued, stored_message
from api_fixtures import ApiClient, new_key
from openapi_spec_validator import validate
from sqlalchemy import select

from smsbox.models import (
    Direction,
    IncomingCall,
    Message,
    Status,
)


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


def test_it_finds_the_messages_of_a_sender_that_is_a_name(api, sessions):
    with sessions() as session:
        session.add(
            stored_message(number="ORANGE", body="Votre forfait", direction=Direction.INBOUND)
        )
        session.add(stored_message(number="+33612345678", direction=Direction.INBOUND))
        session.commit()
    found = api.get("/messages?number=ORANGE").json["messages"]
    assert [m["text"] for m in found] == ["Votre forfait"]
