"""The activity log: what is recorded, by whom, and reading it back (the command:
tests/test_cli.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select
from test_web import log_in, send

from smsbox import account_settings, activity
from smsbox.activity import COMMAND_LINE, Action, Actor, details_of, entries
from smsbox.keywords import KeywordRules
from smsbox.logins import try_login
from smsbox.message_lists import Cursor
from smsbox.models import ActivityEntry, Message, utcnow
from smsbox.users import create_user

ALICE = Actor("alice", None)


def logged(sessions, **filters) -> list[tuple[str, str, str | None, dict]]:
    with sessions() as session:
        return [
            (entry.actor, entry.action, entry.subject, details_of(entry))
            for entry in entries(session, **filters)
        ]


def test_entries_come_newest_first_by_action_by_search_and_page_by_page(sessions):
    with sessions() as session:
        for number in ("+33611111111", "+33622222222", "+33633333333"):
            activity.record(session, Action.OPTOUT_ADDED, COMMAND_LINE, number)
        activity.record(session, Action.LOGIN, ALICE, address="10.0.0.7")
        session.commit()

    assert [row[1] for row in logged(sessions)] == ["login"] + ["optout_added"] * 3
    assert logged(sessions, action=Action.LOGIN) == [
        ("alice", "login", None, {"address": "10.0.0.7"})
    ]
    assert [row[2] for row in logged(sessions, search="2222")] == ["+33622222222"]
    assert logged(sessions, search="100%") == []  # a wildcard typed is a character
    with sessions() as session:
        first, second = entries(session, action=Action.OPTOUT_ADDED, limit=2)
        (third,) = entries(
            session, action=Action.OPTOUT_ADDED, older_than=Cursor(second.at, second.id)
        )
    assert [first.subject, second.subject, third.subject] == [
        "+33633333333",
        "+33622222222",
        "+33611111111",
    ]


def test_logins_failures_and_lockouts_are_logged_with_the_address(sessions):
    with sessions() as session:
        create_user(session, "alice", "correct horse battery")
        session.commit()
        now = utcnow()
        try_login(session, "alice", "correct horse battery", address="10.0.0.7", now=now)
        for _ in range(6):
            try_login(session, "alice", "wrong", address="10.0.0.8", now=now)
        session.commit()

    actions = [(row[0], row[1], row[3]["address"]) for row in reversed(logged(sessions))]
    assert actions == [("alice", "login", "10.0.0.7")] + [
        ("alice", "login_failed", "10.0.0.8")
    ] * 5 + [("alice", "login_locked", "10.0.0.8")]


def test_a_settings_change_keeps_what_changed_from_what_to_what(sessions):
    rules = KeywordRules()
    with sessions() as session:
        account_settings.save(session, account_settings.KEYWORDS, rules, ALICE)  # no change
        changed = dataclasses.replace(rules, help=("INFOS",), replies_per_hour=5)
        account_settings.save(session, account_settings.KEYWORDS, changed, ALICE)
        session.commit()

    assert logged(sessions) == [
        (
            "alice",
            "settings_changed",
            "keywords",
            {
                "changed": {
                    "help": [["AIDE", "HELP", "INFO"], ["INFOS"]],
                    "replies_per_hour": [3, 5],
                }
            },
        )
    ]


def test_the_web_logs_a_login_a_send_and_a_deletion_by_the_person(client, sessions):
    log_in(client)
    send(client, "0612345678", "bonjour")
    with sessions() as session:
        (message,) = session.scalars(select(Message)).all()
        message.created_at -= timedelta(minutes=1)  # not being sent: deletable
        message.status = "sent"
        session.commit()
    token = client.get("/messages/sent").get_data(as_text=True)
    token = token.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/messages/delete", data={"csrf_token": token, "id": [str(message.id)]})

    assert [(row[0], row[1], row[2]) for row in reversed(logged(sessions))] == [
        ("alice", "login", None),
        ("alice", "messages_queued", "+33612345678"),
        ("alice", "messages_deleted", None),
    ]


def test_an_entry_outlives_the_user_it_names(sessions):
    with sessions() as session:
        user = create_user(session, "bob", "correct horse battery")
        session.flush()
        activity.record(session, Action.LOGIN, Actor(user.name, user.id))
        session.delete(user)
        session.commit()
        (entry,) = session.scalars(select(ActivityEntry)).all()
    assert (entry.actor, entry.user_id) == ("bob", None)


def test_an_entry_recorded_at_once_is_the_row_record_writes_at_the_flush(sessions):
    actor = Actor("api:crm")
    with sessions() as session:
        at_once = activity.values(Action.MESSAGES_QUEUED, actor, "+33611111111", n=1)
        activity.record_at_once(session, [at_once])
        assert not session.new  # nothing left for a flush to do
        activity.record(session, Action.MESSAGES_QUEUED, actor, "+33611111111", n=1)
        session.commit()
        at_once, flushed = entries(session)[::-1]
    assert at_once.id < flushed.id
    columns = ("actor", "user_id", "action", "subject", "details")
    assert [getattr(at_once, name) for name in columns] == [
        getattr(flushed, name) for name in columns
    ]
    assert at_once.at <= flushed.at
