"""The HTTP API over real HTTP (waitress), without a daemon: sending, what it accepts,
what it refuses and how, and that nothing is queued twice or half."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from api_checks import assert_problem, logged_but, queued
from api_fixtures import new_key
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smsbox import account_settings
from smsbox.activity import COMMAND_LINE, Action, details_of, entries
from smsbox.message_settings import MessageSettings
from smsbox.models import (
    ActivityEntry,
    Message,
    Status,
)
from smsbox.optouts import opt_out
from smsbox.quotas import Quotas


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


def test_it_counts_every_message_it_queued_in_the_database(api, sessions):
    # The answer and the database agree: no message was queued and not reported.
    ids = [
        m["id"]
        for m in api.post("/messages", {"to": ["0611111111"] * 3, "text": "x"}).json["messages"]
    ]
    with sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == len(ids) == 3


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


def test_it_marks_a_commercial_message_as_such(api, sessions):
    api.post("/messages", {"to": "0611111111", "text": "Promo", "commercial": True})
    api.post("/messages", {"to": "0611111111", "text": "Code 1234"})
    assert [m.transactional for m in queued(sessions)] == [False, True]


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


def test_a_send_reads_the_settings_it_needs_with_the_key(api, sessions):
    """Three statements for a send: the key with the signature, caps and time zone
    read by its query, the messages, the log entries. And the settings so read apply,
    a change at the next request."""
    with sessions() as session:
        account_settings.save(
            session, account_settings.MESSAGES, MessageSettings(signature="ACME"), COMMAND_LINE
        )
        session.commit()
        engine = session.bind
    api.get("/modems")  # the key's last use is written now, not by the sends below
    statements = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        answer = api.post("/messages", {"to": "0611111111", "text": "Bonjour"})
        sent = list(statements)
        with sessions() as session:
            account_settings.save(
                session, account_settings.QUOTAS, Quotas(account_daily=1), COMMAND_LINE
            )
            session.commit()
        refused = api.post("/messages", {"to": "0622222222", "text": "x"})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert answer.status == 201
    assert [" ".join(statement.split()[:3]) for statement in sent[1:]] == [
        "INSERT INTO messages",
        "INSERT INTO activity",
    ]
    assert len(sent) == 3 and "FROM api_keys" in sent[0]
    assert answer.json["messages"][0]["text"] == "Bonjour\nACME"
    assert_problem(refused, 403, "quota-exceeded")


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


def test_on_sqlite_a_send_writes_holding_the_lock_of_writers_it_was_given(
    config, sessions, monkeypatch
):
    """A send's threads, and those of the other web processes (`[web] processes`: the
    lock they share), take turns on a lock rather than in SQLite's busy handler; on
    PostgreSQL, which writes rows concurrently, they do not."""
    from databases import ON_POSTGRESQL

    from web import create_app
    from web.api import messages as api_messages

    writers = multiprocessing.Lock()
    held = []
    queue_messages = api_messages.outbox.queue_messages

    def noting_the_lock(*args, **kwargs):
        free = writers.acquire(block=False)
        if free:
            writers.release()
        held.append(not free)
        return queue_messages(*args, **kwargs)

    monkeypatch.setattr(api_messages.outbox, "queue_messages", noting_the_lock)
    client = create_app(config, sessions, sqlite_writers=writers).test_client()
    headers = {"Authorization": f"Bearer {new_key(sessions)}"}
    for idempotency in ({}, {"Idempotency-Key": "first"}):
        answer = client.post(
            "/api/v1/messages",
            json={"to": "0611111111", "text": "x"},
            headers=headers | idempotency,
        )
        assert answer.status_code == 201
    assert held == [not ON_POSTGRESQL] * 2
    assert writers.acquire(block=False)
