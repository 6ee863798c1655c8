from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from web_fixtures import PASSWORD

from smsbox.models import Direction, Message, Status
from smsbox.modems import ensure_modem, record_signal, record_state
from smsbox.users import create_user, set_password
from web import create_app

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = (
    "/login",
    "/dashboard",
    "/messages/send",
    "/messages/scheduled",
    "/messages/sent",
    "/messages/received",
    "/messages/unread",
    "/calls",
    "/modems",
)
# A script element without a src: inline script, which the CSP would block anyway.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


def csrf_token(client: FlaskClient, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in the form at {path}"
    return match.group(1)


def log_in(client: FlaskClient, name: str = "alice", password: str = PASSWORD, next_=None):
    path = "/login" if next_ is None else f"/login?next={next_}"
    token = csrf_token(client, "/login")
    return client.post(path, data={"name": name, "password": password, "csrf_token": token})


def send(client: FlaskClient, number: str, body: str):
    token = csrf_token(client, "/messages/send")
    return client.post("/messages/send", data={"number": number, "body": body, "csrf_token": token})


def outbound(sessions) -> list[Message]:
    with sessions() as session:
        return list(session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND)))


@pytest.mark.parametrize(
    "path", ["/messages/send", "/messages/sent", "/messages/received", "/messages/unread"]
)
def test_it_sends_visitors_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path.replace('/', '%2F')}"


def test_it_redirects_the_root_to_the_dashboard(client):
    log_in(client)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(client):
    wrong_password = log_in(client, password="not the password")
    unknown_name = log_in(client, name="mallory")
    for response in (wrong_password, unknown_name):
        assert "Wrong user name or password." in response.get_data(as_text=True)
    assert client.get("/messages/sent").status_code == 302


def test_it_logs_in_and_out(client):
    response = log_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/messages/send")
    assert page.status_code == 200
    assert "alice" in page.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/messages/send")})
    assert client.get("/messages/send").status_code == 302


def test_it_locks_a_name_out_after_five_wrong_passwords_even_for_the_right_one(client):
    for _ in range(4):
        assert log_in(client, password="a wrong guess").status_code == 400
    locking = log_in(client, password="a wrong guess")
    refused = log_in(client)
    for response in (locking, refused):
        assert response.status_code == 429
        assert "Too many attempts: try again in 1 minute." in response.get_data(as_text=True)
    assert locking.headers["Retry-After"] == "60"
    # What is left of the minute: the second attempt may come a second or two later.
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/messages/send").status_code == 302


def test_it_keeps_a_lockout_across_a_restart_and_for_every_address(config, sessions, app):
    client = app.test_client()
    for _ in range(5):
        log_in(client, password="a wrong guess")
    restarted = create_app(config, sessions).test_client()
    restarted.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert log_in(restarted).status_code == 429


def test_it_locks_out_an_address_that_tries_many_names(app):
    intruder = app.test_client()
    intruder.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    for attempt in range(20):
        log_in(intruder, name=f"guess{attempt}", password="a wrong guess")
    assert log_in(intruder).status_code == 429
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert log_in(colleague).status_code == 302


def test_it_forgets_a_names_wrong_passwords_once_the_right_one_is_given(client):
    for _ in range(4):
        log_in(client, password="a wrong guess")
    assert log_in(client).status_code == 302
    log_out(client)
    for _ in range(4):
        log_in(client, password="a wrong guess")
    assert log_in(client).status_code == 302


def log_out(client: FlaskClient):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/messages/send")})


def copy_of_session(app, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie, as someone who copied it would."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_it_ends_every_copy_of_the_session_cookie_at_logout(app, client):
    log_in(client)
    copy = copy_of_session(app, client)
    assert copy.get("/messages/send").status_code == 200

    log_out(client)
    assert copy.get("/messages/send").status_code == 302
    log_in(client)
    assert client.get("/messages/send").status_code == 200
    assert copy.get("/messages/send").status_code == 302


def test_it_ends_the_sessions_of_a_user_whose_password_changes(app, client, sessions):
    log_in(client)
    with sessions() as session:
        set_password(session, "alice", "a brand new password")
        session.commit()
    assert client.get("/messages/send").status_code == 302
    assert log_in(client, password="a brand new password").status_code == 302
    assert client.get("/messages/send").status_code == 200


def test_it_follows_next_only_to_a_local_path(client):
    assert log_in(client, next_="/messages/received").headers["Location"] == "/messages/received"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/messages/send")})
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "/%09/evil"):
        response = log_in(client, next_=target)
        assert response.headers["Location"] == "/dashboard", target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/messages/send")})


def test_it_queues_a_message_with_the_number_in_e164_and_the_exact_body(client, sessions):
    log_in(client)
    response = send(client, "06 12 34 56 78", "Bonjour é ç €")
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/sent"
    assert "Message queued for +33612345678." in client.get("/messages/sent").get_data(as_text=True)
    [message] = outbound(sessions)
    assert message.number == "+33612345678"
    assert message.raw_number == "06 12 34 56 78"
    assert message.body == "Bonjour é ç €"
    assert message.status == Status.QUEUED
    assert message.created_by_id is not None


def test_it_keeps_line_breaks_as_single_newlines(client, sessions):
    log_in(client)
    send(client, "0612345678", "one\r\ntwo")
    assert [m.body for m in outbound(sessions)] == ["one\ntwo"]


def test_it_shows_the_number_error_next_to_the_field_and_stores_nothing(client, sessions):
    log_in(client)
    response = send(client, "12", "Bonjour")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="number-errors">\s*<li>.*wrong number of digits', html)
    assert "Bonjour</textarea>" in html
    assert outbound(sessions) == []


def test_it_refuses_an_empty_message(client, sessions):
    log_in(client)
    response = send(client, "0612345678", "   ")
    assert response.status_code == 400
    assert "The message is empty." in response.get_data(as_text=True)
    assert outbound(sessions) == []


@pytest.mark.parametrize("body", ["\x00", "hello\x00", "bell\x07", "escape\x1b[2J"])
def test_it_refuses_control_characters_next_to_the_message_field(client, sessions, body):
    log_in(client)
    response = send(client, "0612345678", body)
    assert response.status_code == 400
    assert re.search(
        r'id="body-errors">\s*<li>.*control character', response.get_data(as_text=True)
    )
    assert outbound(sessions) == []


def test_it_refuses_a_post_without_csrf_token(client, sessions):
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 400
    assert client.get("/messages/send").status_code == 302

    log_in(client)
    response = client.post("/messages/send", data={"number": "0612345678", "body": "Hi"})
    assert response.status_code == 400
    assert outbound(sessions) == []


def test_it_shows_a_received_message_escaped_in_local_time(client, sessions):
    with sessions() as session:
        session.add(
            Message(
                direction=Direction.INBOUND,
                number="+33612345678",
                raw_number="+33612345678",
                body="<script>alert(1)</script>",
                status=Status.RECEIVED,
                created_at=datetime(2024, 1, 15, 12, 0, tzinfo=UTC),
            )
        )
        session.commit()
    log_in(client)
    html = client.get("/messages/received").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "15/01/2024, 13:00" in html  # Europe/Paris in winter, in British English


def test_it_lists_sent_messages_only_on_the_sent_page(client):
    log_in(client)
    send(client, "0612345678", "outgoing text")
    assert "outgoing text" in client.get("/messages/sent").get_data(as_text=True)
    assert "outgoing text" not in client.get("/messages/received").get_data(as_text=True)


def test_it_sets_security_headers_on_every_response(client):
    for response in (client.get("/login"), client.get("/static/style.css"), client.get("/")):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_it_sets_a_http_only_lax_session_cookie(client):
    cookie = log_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_it_marks_cookies_secure_only_when_configured(config, sessions):
    with sessions() as session:
        create_user(session, "alice", PASSWORD, language="en")
        session.commit()
    plain = create_app(config, sessions)
    behind_tls = create_app(
        dataclasses.replace(config, web=dataclasses.replace(config.web, secure_cookies=True)),
        sessions,
    )
    assert "Secure" not in log_in(plain.test_client()).headers["Set-Cookie"]
    assert "Secure" in log_in(behind_tls.test_client()).headers["Set-Cookie"]
    assert behind_tls.config["REMEMBER_COOKIE_SECURE"] is True


def test_it_uses_no_inline_script_or_style(client):
    log_in(client)
    for path in PAGES:
        html = client.get(path).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), path
        assert "<style" not in html
        assert " style=" not in html


def test_it_shows_each_modems_state_and_error_on_the_send_page(client, sessions):
    log_in(client)
    assert "No modem has reported yet" in client.get("/messages/send").get_data(as_text=True)
    with sessions() as session:
        ready = ensure_modem(session, "bureau", "/dev/ttyUSB0")
        record_state(session, ready, "ready")
        record_signal(session, ready, 21)
        broken = ensure_modem(session, "<atelier>", "/dev/ttyUSB1")
        record_state(session, broken, "error", "the SIM asks for a PIN")
        session.commit()

    page = client.get("/messages/send").get_data(as_text=True)
    assert "<strong>bureau</strong>: ready, signal 21/31" in page
    assert "<strong>&lt;atelier&gt;</strong>: error" in page
    assert "the SIM asks for a PIN" in page


def test_it_forbids_browsers_to_store_pages_but_not_static_files(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    log_in(client)
    for path in PAGES:
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")
