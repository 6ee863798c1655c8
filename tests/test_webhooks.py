"""Webhook deliveries queued with their events, signed, retried, and the URLs allowed."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, select, update
from standardwebhooks.webhooks import Webhook

from smsbox import calls
from smsbox.config import WebhooksConfig
from smsbox.models import (
    Direction,
    Message,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from smsbox.optouts import opt_out
from smsbox.webhooks import endpoints, events, signing
from smsbox.webhooks.deliveries import LEASE, Attempt, claim_due, record_attempts
from smsbox.webhooks.endpoints import WebhookRefused, add_endpoint
from smsbox.webhooks.event_types import EVENT_TYPES
from smsbox.webhooks.guard import UrlRefused, check_url
from smsbox.webhooks.retries import next_attempt
from smsbox.webhooks.sender import POLL_INTERVAL, WebhookSender

LAN_URL = "http://192.168.1.20/hooks/sms"


def register(sessions, events=EVENT_TYPES, url=LAN_URL, **options) -> int:
    with sessions() as session:
        added = add_endpoint(session, url, events, created_by="admin", **options)
        session.commit()
        return added.endpoint.id


def inbound(body: str = "Bonjour", number: str = "+33612345678") -> Message:
    return Message(
        direction=Direction.INBOUND,
        number=number,
        raw_number=number,
        body=body,
        status=Status.RECEIVED,
    )


def queued_deliveries(sessions) -> list[WebhookDelivery]:
    with sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_received_message_queues_one_delivery_per_subscribed_endpoint(sessions):
    subscribed = register(sessions, ["message.received"])
    register(sessions, ["message.delivered"])
    with sessions() as session:
        message = inbound("<script>alert(1)</script>")
        session.add(message)
        session.commit()

    (delivery,) = queued_deliveries(sessions)
    sent = json.loads(delivery.payload)
    assert delivery.endpoint_id == subscribed and delivery.event_type == "message.received"
    assert sent["type"] == "message.received" and delivery.event_id.startswith("evt_")
    assert sent["data"]["id"] == message.id and sent["data"]["body"] == message.body
    assert sent["data"]["number"] == "+33612345678" and delivery.attempts == 0


def test_an_event_rolled_back_leaves_no_delivery(sessions):
    register(sessions)
    with sessions() as session:
        session.add(inbound())
        session.flush()
        session.rollback()
    assert queued_deliveries(sessions) == []


def test_an_endpoint_removed_elsewhere_while_remembered_costs_no_message(sessions):
    """Another process (the CLI, the web) removed or disabled an endpoint this one still
    remembers as subscribed: the messages are stored all the same, with no delivery to
    the endpoint gone (its row's foreign key would have refused the whole insert)."""
    gone, disabled = register(sessions), register(sessions)
    with sessions() as session:
        session.add(inbound("first"))  # this process reads the endpoints and keeps them
        session.commit()
        session.execute(delete(WebhookDelivery))
        session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == gone))
        session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == disabled).values(enabled=False)
        )
        session.commit()
    with sessions() as session:
        session.add(inbound("second"))
        session.commit()
    assert queued_deliveries(sessions) == []
    with sessions() as session:
        assert session.scalar(select(Message.body).where(Message.body == "second")) == "second"


def test_what_is_written_on_a_connection_queues_its_events_and_wakes_the_sender(sessions):
    endpoint = register(sessions, ["message.received"])
    woken = []

    def wake() -> None:
        woken.append(True)

    events.listen(wake)
    try:
        with sessions.kw["bind"].connect() as connection:
            data = {"id": 7, "number": "+33612345678", "body": "Bonjour"}
            events.queue_events(connection, [("message.received", data)])
            assert woken == []
            connection.commit()
            events.committed(connection.info)
    finally:
        events.stop_listening(wake)
    (delivery,) = queued_deliveries(sessions)
    assert delivery.endpoint_id == endpoint and json.loads(delivery.payload)["data"] == data
    assert woken == [True]


def test_a_disabled_endpoint_gets_no_new_event(sessions):
    endpoint_id = register(sessions)
    with sessions() as session:
        endpoints.set_enabled(session, endpoint_id, False)
        session.add(inbound())
        session.commit()
    assert queued_deliveries(sessions) == []


def test_a_send_and_its_report_echo_the_callback_data(sessions):
    register(sessions, ["message.sent", "message.delivered", "message.failed"])
    with sessions() as session:
        message = Message(
            direction=Direction.OUTBOUND,
            number="+33612345678",
            raw_number="0612345678",
            body="Rappel",
            status=Status.QUEUED,
            callback_data="booking-42",
        )
        session.add(message)
        session.commit()
        assert queued_deliveries(sessions) == []  # queued is no event
        message.status = Status.SENT
        session.commit()
        message.error = "unrelated change"
        session.commit()
        message.status = Status.DELIVERED
        session.commit()

    sent = [json.loads(delivery.payload) for delivery in queued_deliveries(sessions)]
    assert [payload["type"] for payload in sent] == ["message.sent", "message.delivered"]
    assert {payload["data"]["callback_data"] for payload in sent} == {"booking-42"}


def test_a_call_and_a_stop_are_events(sessions, modem_id):
    register(sessions, ["call.received", "optout.created"])
    with sessions() as session:
        calls.record_call(session, modem_id, "0612345678", utcnow(), 1, default_region="FR")
        opt_out(session, "+33698765432", source="manual")
        session.commit()
    payloads = [json.loads(delivery.payload) for delivery in queued_deliveries(sessions)]
    assert {payload["type"]: payload["data"]["number"] for payload in payloads} == {
        "call.received": "+33612345678",
        "optout.created": "+33698765432",
    }


def test_without_endpoints_messages_cost_no_query_for_webhooks(sessions):
    register(sessions, ["message.received"])
    with sessions() as session:
        endpoints.remove_endpoint(session, 1)
        session.commit()
    asked: list[str] = []
    engine = sessions.kw["bind"]

    def count(_conn, _cursor, statement, *_args) -> None:
        if "webhook_endpoints" in statement:
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for number in range(20):
            with sessions() as session:
                session.add(inbound(f"message {number}"))
                session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(asked) == 1
    assert queued_deliveries(sessions) == []


def test_the_signature_is_the_one_standard_webhooks_verifies():
    secret = signing.new_secret()
    body = json.dumps({"type": "message.received", "data": {"body": "é"}}).encode()
    timestamp = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secret, "evt_1", timestamp, body)

    assert Webhook(secret).verify(body, headers) == json.loads(body)
    assert secret.startswith("whsec_") and len(signing.new_secret()) == len(secret)


def test_the_signature_matches_the_specifications_example():
    # From the Standard Webhooks specification (spec/standard-webhooks.md).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        signing.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://192.168.1.20/x", "not an http or https URL"),
        ("javascript:alert(1)", "not an http or https URL"),
        ("http://", "names no host"),
        ("http://user:pw@192.168.1.20/", "user name or password"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://no-such-host.invalid/", "does not resolve"),
        ("http://192.168.1.20:99999/", "not a URL"),
    ],
)
def test_it_refuses_a_url_that_is_not_allowed(url, reason):
    with pytest.raises(UrlRefused, match=reason):
        check_url(url, allow_private=False)


def test_it_refuses_an_address_of_the_box_itself():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet leaves: this only picks the route
        own = probe.getsockname()[0]
    with pytest.raises(UrlRefused, match=r"loopback|this box"):
        check_url(f"http://{own}/", allow_private=False)


def test_it_allows_the_lan_and_whatever_an_admin_allows():
    for url in (LAN_URL, "https://10.1.2.3:8443/x", "http://172.16.0.9/"):
        check_url(url, allow_private=False)
    check_url("http://127.0.0.1:9000/hook", allow_private=True)
    with pytest.raises(UrlRefused):
        check_url("file:///etc/passwd", allow_private=True)


def test_adding_an_endpoint_checks_its_url_and_events(sessions):
    with sessions() as session:
        with pytest.raises(UrlRefused):
            add_endpoint(session, "http://127.0.0.1/", ["message.received"], created_by="a")
        with pytest.raises(WebhookRefused, match=r"message\.recieved is no event"):
            add_endpoint(session, LAN_URL, "message.recieved", created_by="a")
        with pytest.raises(WebhookRefused, match="at least one event"):
            add_endpoint(session, LAN_URL, " , ", created_by="a")
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_retries_back_off_exponentially_and_give_up_after_a_day():
    settings = WebhooksConfig(first_retry_ms=5000, give_up_after_hours=24)
    created = datetime(2026, 11, 25, 12, tzinfo=UTC)

    def nominal(*_: float) -> float:
        return 1.0

    waits = [
        next_attempt(settings, attempts, created, created, nominal) - created
        for attempts in (1, 2, 3, 4)
    ]
    assert waits == [timedelta(seconds=seconds) for seconds in (5, 10, 20, 40)]
    assert next_attempt(settings, 30, created, created, nominal) - created == timedelta(hours=1)
    late = created + timedelta(hours=23, minutes=30)
    assert next_attempt(settings, 30, created, late, nominal) is None
    jittered = next_attempt(settings, 1, created, created) - created
    assert timedelta(seconds=3.75) <= jittered <= timedelta(seconds=6.25)


def test_a_claim_holds_a_delivery_for_its_lease_and_bounds_each_endpoint(sessions):
    busy, other = register(sessions, ["message.received"]), register(sessions, ["message.received"])
    with sessions() as session:
        for number in range(3):
            session.add(inbound(f"message {number}"))
        session.commit()
    now = utcnow()

    def room(endpoint_id: int) -> int:
        return 1 if endpoint_id == busy else 5

    with sessions() as session:
        first = claim_due(session, room, limit=10, now=now)
        again = claim_due(session, room, limit=10, now=now)
        after_lease = claim_due(session, room, limit=10, now=now + LEASE + timedelta(seconds=1))
    assert sorted(claim.endpoint_id for claim in first) == [busy, other, other, other]
    assert [claim.endpoint_id for claim in again] == [busy]  # the one not yet claimed
    assert {claim.id for claim in again}.isdisjoint(claim.id for claim in first)
    assert sorted(claim.endpoint_id for claim in after_lease) == [busy, other, other, other]


def test_the_attempts_that_ended_together_are_recorded_together_each_as_it_ended(sessions):
    register(sessions, ["message.received"])
    settings = WebhooksConfig(first_retry_ms=1000, give_up_after_hours=1)
    with sessions() as session:
        session.add_all(inbound(f"message {number}") for number in range(4))
        session.commit()
    now = utcnow()
    with sessions() as session:
        claims = claim_due(session, lambda _: 4, limit=4, now=now)
        leased_until = now + LEASE
        outcomes = [Attempt(204, ""), Attempt(503, "busy"), Attempt(error="TimeoutError: late")]
        record_attempts(session, list(zip(claims, outcomes, strict=False)), settings, now)
        late = now + timedelta(hours=2)  # past the hour of tries: given up
        record_attempts(session, [(claims[3], Attempt(500, "down"))], settings, late)
        session.commit()
    rows = queued_deliveries(sessions)
    for retried in rows[1:3]:  # a second after, give or take the jitter
        assert (
            now + timedelta(seconds=0.75)
            <= retried.next_attempt_at
            <= now + timedelta(seconds=1.25)
        )
    assert [
        (
            row.attempts,
            row.last_status_code,
            row.last_answer,
            row.last_error,
            row.delivered_at,
            row.given_up_at,
            row.next_attempt_at,
        )
        for row in rows
    ] == [
        (1, 204, "", None, now, None, leased_until),
        (1, 503, "busy", None, None, None, rows[1].next_attempt_at),
        (1, None, None, "TimeoutError: late", None, None, rows[2].next_attempt_at),
        (1, 500, "down", None, None, late, leased_until),
    ]


def test_an_attempt_is_recorded_then_retried_then_delivered(sessions):
    register(sessions, ["message.received"])
    settings = WebhooksConfig(first_retry_ms=1000)
    with sessions() as session:
        session.add(inbound())
        session.commit()
    now = utcnow()
    with sessions() as session:
        (claim,) = claim_due(session, lambda _: 4, limit=4, now=now)
        record_attempts(session, [(claim, Attempt(503, "busy " * 200))], settings, now)
        session.commit()
        assert claim_due(session, lambda _: 4, limit=4, now=now) == []
        (retry,) = claim_due(session, lambda _: 4, limit=4, now=now + timedelta(seconds=2))
        record_attempts(session, [(retry, Attempt(200, "ok"))], settings, now)
        session.commit()
    (delivery,) = queued_deliveries(sessions)
    assert (delivery.attempts, delivery.last_status_code, delivery.last_answer) == (2, 200, "ok")
    assert delivery.delivered_at is not None and delivery.given_up_at is None


def test_a_replay_posts_the_same_event_again(sessions):
    register(sessions, ["message.received"])
    with sessions() as session:
        session.add(inbound())
        session.commit()
        (first,) = session.scalars(select(WebhookDelivery)).all()
        again = endpoints.replay(session, first.id)
        session.commit()
        with pytest.raises(WebhookRefused, match="no webhook delivery 999"):
            endpoints.replay(session, 999)
    assert (again.event_id, again.payload) == (first.event_id, first.payload)
    assert again.id != first.id and again.attempts == 0


def test_the_sender_waits_for_a_post_to_end_when_its_endpoint_is_full(sessions):
    endpoint_id = register(sessions, ["message.received"])
    with sessions() as session:
        session.add(inbound())
        session.commit()
    sender = WebhookSender(sessions, WebhooksConfig(per_endpoint=1), threading.Event())
    sender._in_flight[endpoint_id] = 1  # one post under way, that never ends

    assert sender._claim() == []
    # Not 0: the delivery is due, but looking again at once would take nothing either.
    assert sender._idle_wait() == POLL_INTERVAL
