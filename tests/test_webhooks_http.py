"""Webhooks over real HTTP, posted by the real daemon on a simulated modem to local
receivers: signed, retried until they succeed, across a restart, and never held up by
a receiver that does not answer."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
from api_fixtures import ApiClient, new_key, serving
from daemon_fixtures import SENDING_WAIT, run_daemon_until, start_and_settle
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook
from waiting import wait_until
from webhook_receivers import never_answering, receiving

from modem.daemon import run_daemon
from smsbox.config import WebhooksConfig
from smsbox.models import WebhookDelivery
from smsbox.webhooks.endpoints import add_endpoint

SENDER = "+33611223344"


@pytest.fixture
def quick_retries(modem_config):
    """The daemon's configuration with retries 50 ms apart (doubling) instead of 5 s."""
    return dataclasses.replace(modem_config, webhooks=WebhooksConfig(first_retry_ms=50))


def register(db, url: str, events: list[str]) -> str:
    """A local receiver: on loopback, which only an admin may allow. Its secret."""
    with db() as session:
        added = add_endpoint(session, url, events, created_by="admin", allow_private=True)
        session.commit()
        return added.secret


def deliveries(db) -> list[WebhookDelivery]:
    with db() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def delivered(db) -> bool:
    found = deliveries(db)
    return bool(found) and all(delivery.delivered_at is not None for delivery in found)


def test_an_inbound_sms_reaches_the_receiver_once_signed(sim, db, start_daemon):
    with receiving() as receiver:
        secret = register(db, receiver.url, ["message.received"])
        start_and_settle(db, start_daemon)
        sim.deliver(SENDER, "Bonjour <b>à</b> vous")
        wait_until(lambda: delivered(db), SENDING_WAIT)

    (post,) = receiver.posts
    sent = Webhook(secret).verify(post.body, post.headers)
    assert sent["type"] == "message.received"
    assert (sent["data"]["number"], sent["data"]["body"]) == (SENDER, "Bonjour <b>à</b> vous")
    assert post.headers["webhook-id"] == deliveries(db)[0].event_id


def test_a_receiver_down_three_times_gets_the_fourth_attempt(sim, db, quick_retries):
    with receiving(failures=[500, 503, 502]) as receiver:
        secret = register(db, receiver.url, ["message.received"])
        sim.deliver(SENDER, "Rappel")
        run_daemon_until(quick_retries, lambda: delivered(db), SENDING_WAIT)

    assert len(receiver.posts) == 4
    assert len({post.headers["webhook-id"] for post in receiver.posts}) == 1
    for post in receiver.posts:
        Webhook(secret).verify(post.body, post.headers)
    (delivery,) = deliveries(db)
    assert (delivery.attempts, delivery.last_status_code) == (4, 204)


def test_a_daemon_restarted_between_attempts_still_delivers(sim, db, quick_retries):
    down_for_a_day = dataclasses.replace(
        quick_retries, webhooks=WebhooksConfig(first_retry_ms=3_600_000)
    )
    with receiving(failures=[503]) as receiver:
        register(db, receiver.url, ["message.received"])
        sim.deliver(SENDER, "Rappel")
        run_daemon_until(down_for_a_day, lambda: deliveries(db) and deliveries(db)[0].attempts)
        assert not delivered(db)
        # Restarted: the retry is a row, not a timer of the daemon that stopped. It
        # falls due now rather than in an hour, as if the hour had passed.
        with db() as session:
            session.execute(
                WebhookDelivery.__table__.update().values(
                    next_attempt_at=deliveries(db)[0].created_at
                )
            )
            session.commit()
        run_daemon_until(quick_retries, lambda: delivered(db), SENDING_WAIT)

    assert len(receiver.posts) == 2
    assert receiver.posts[0].body == receiver.posts[1].body


def test_a_receiver_that_never_answers_does_not_hold_up_another(sim, db, modem_config):
    stop = threading.Event()
    daemon = threading.Thread(target=run_daemon, args=(modem_config, stop))
    with never_answering() as silent, receiving() as receiver:
        register(db, silent.url, ["message.received"])
        register(db, receiver.url, ["message.received"])
        daemon.start()
        try:
            for number in range(10):  # more than the silent one's share of the pool (8)
                sim.deliver(SENDER, f"message {number}")
            wait_until(lambda: len(receiver.posts) == 10, SENDING_WAIT)
            wait_until(lambda: silent.connections)
            stuck = [d for d in deliveries(db) if d.delivered_at is None]
            assert stuck and all(d.attempts == 0 for d in stuck)  # still waiting for an answer
        finally:
            silent.close_all()
            stop.set()
            daemon.join(timeout=20)
    assert not daemon.is_alive()


def test_a_message_sent_over_the_api_tells_its_send_and_delivery(
    sim, db, modem_config, start_daemon
):
    sim.configure_reports(delay=0.1, outcome="delivered")
    with receiving() as receiver, serving(modem_config, db) as base:
        register(db, receiver.url, ["message.sent", "message.delivered"])
        client = ApiClient(base, new_key(db))
        start_and_settle(db, start_daemon)
        answer = client.post(
            "/messages", {"to": "0612345678", "text": "Votre colis", "callback_data": "order-7"}
        )
        (queued,) = answer.json["messages"]
        wait_until(
            lambda: client.get(f"/messages/{queued['id']}").json["status"] == "delivered",
            SENDING_WAIT,
        )
        wait_until(lambda: len(receiver.posts) == 2 and delivered(db), SENDING_WAIT)

    told = [json.loads(post.body) for post in receiver.posts]
    assert [event["type"] for event in told] == ["message.sent", "message.delivered"]
    assert {event["data"]["callback_data"] for event in told} == {"order-7"}
    assert {event["data"]["id"] for event in told} == {queued["id"]}
