"""Accounts: admins add users, set roles, disable them and reset passwords; each person
changes their own password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in
from web_fixtures import PASSWORD

from smsbox.activity import entries
from smsbox.models import User

SHOWN_PASSWORD = re.compile(r'<code class="password">([^<]+)</code>')


def user_id(sessions, name: str) -> int:
    with sessions() as session:
        return session.scalar(select(User.id).where(User.name == name))


def change(client, sessions, name: str, what: str):
    token = csrf_token(client, "/admin/users")
    return client.post(
        f"/admin/users/{user_id(sessions, name)}", data={"csrf_token": token, "change": what}
    )


def test_an_admin_adds_a_user_who_logs_in_with_the_password_shown_once(admin, app, sessions):
    token = csrf_token(admin, "/admin/users")
    shown = admin.post(
        "/admin/users", data={"csrf_token": token, "name": "bob", "language": "fr"}
    ).get_data(as_text=True)
    (password,) = SHOWN_PASSWORD.findall(shown)

    bob = app.test_client()
    assert log_in(bob, "bob", password).status_code == 302
    with sessions() as session:
        added = session.scalar(select(User).where(User.name == "bob"))
        assert (added.is_admin, added.language) == (False, "fr")
        (logged,) = entries(session, action="user_created")
    assert (logged.actor, logged.subject) == ("root", "bob")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("alice", "a user named alice already exists"), ("x" * 65, "longer than 64 characters")],
)
def test_a_user_name_taken_or_too_long_is_refused(admin, name, reason):
    token = csrf_token(admin, "/admin/users")
    refused = admin.post("/admin/users", data={"csrf_token": token, "name": name})
    assert refused.status_code == 400
    assert reason in refused.get_data(as_text=True)


def test_the_last_administrator_stays_one(admin, sessions):
    refused = change(admin, sessions, "root", "operator")
    assert "the last administrator cannot become an operator" in admin.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    assert change(admin, sessions, "root", "disable").status_code == 303

    change(admin, sessions, "alice", "admin")
    assert change(admin, sessions, "root", "operator").status_code == 302
    with sessions() as session:
        roles = dict(session.execute(select(User.name, User.is_admin)).all())
    assert roles == {"alice": True, "root": False}


def test_a_disabled_user_is_logged_out_and_cannot_log_in_again(admin, app, sessions):
    alice = app.test_client()
    log_in(alice)
    assert alice.get("/messages/sent").status_code == 200

    change(admin, sessions, "alice", "disable")
    assert alice.get("/messages/sent").status_code == 302  # to the login page
    assert log_in(alice).status_code == 400
    change(admin, sessions, "alice", "enable")
    assert log_in(alice).status_code == 302


def test_a_reset_password_replaces_the_old_one(admin, app, sessions):
    shown = change(admin, sessions, "alice", "reset").get_data(as_text=True)
    (password,) = SHOWN_PASSWORD.findall(shown)

    assert log_in(app.test_client(), "alice", PASSWORD).status_code == 400
    assert log_in(app.test_client(), "alice", password).status_code == 302


def test_an_unknown_user_or_change_is_refused(admin, sessions):
    token = csrf_token(admin, "/admin/users")
    assert admin.post("/admin/users/999", data={"csrf_token": token}).status_code == 404
    assert change(admin, sessions, "alice", "promote").status_code == 400


def account_change(client, current: str, new: str, again: str):
    token = csrf_token(client, "/account")
    return client.post(
        "/account", data={"csrf_token": token, "current": current, "new": new, "again": again}
    )


@pytest.mark.parametrize(
    ("current", "new", "again", "reason"),
    [
        ("wrong password", "a new password 1", "a new password 1", "This is not your password."),
        (PASSWORD, "a new password 1", "another one 1234", "The two new passwords differ."),
        (PASSWORD, "short", "short", "at least 10 characters"),
    ],
)
def test_a_wrong_change_of_one_s_own_password_is_refused(client, current, new, again, reason):
    log_in(client)
    refused = account_change(client, current, new, again)
    assert refused.status_code == 400
    assert reason in refused.get_data(as_text=True)


def test_a_person_changes_their_password_and_is_logged_out_elsewhere(client, app):
    elsewhere = app.test_client()
    log_in(elsewhere)
    log_in(client)

    changed = account_change(client, PASSWORD, "a new password 1", "a new password 1")
    assert changed.status_code == 302
    assert client.get("/messages/sent").status_code == 200
    assert elsewhere.get("/messages/sent").status_code == 302
    assert log_in(app.test_client(), "alice", "a new password 1").status_code == 302
