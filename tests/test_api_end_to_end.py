"""The HTTP API over real HTTP with the real daemon on a simulated modem: what a client
posts reaches the simulated network, once, and its delivery comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_fixtures import ApiClient, new_key, serving
from daemon_fixtures import SENDING_WAIT, start_and_settle
from waiting import wait_until


@pytest.fixture
def client(modem_config, db):
    with serving(modem_config, db) as base:
        yield ApiClient(base, new_key(db))


def status_of(client: ApiClient, message_id: int) -> str:
    return client.get(f"/messages/{message_id}").json["status"]


def test_a_message_posted_is_sent_and_its_delivery_read_back(client, sim, db, start_daemon):
    sim.configure_reports(delay=0.2, outcome="delivered")
    start_and_settle(db, start_daemon)
    text = "Votre commande est prête. " * 8  # several parts (UCS-2: the ê)

    answer = client.post("/messages", {"to": "06 12 34 56 78", "text": text})
    (queued,) = answer.json["messages"]

    wait_until(lambda: status_of(client, queued["id"]) == "delivered", SENDING_WAIT)
    shown = client.get(f"/messages/{queued['id']}").json
    (submitted,) = sim.sent()
    assert (submitted.recipient, submitted.text) == ("+33612345678", text)
    assert [part["status"] for part in shown["parts"]] == ["delivered"] * len(submitted.parts)
    assert [part["reference"] for part in shown["parts"]] == submitted.references
    assert len(submitted.parts) > 1
    assert shown["modem"] == "sim" and shown["delivered_at"] is not None


def test_a_retried_post_with_its_idempotency_key_sends_one_sms(client, sim, db, start_daemon):
    sim.configure_reports(delay=0.1, outcome="delivered")
    start_and_settle(db, start_daemon)
    body = {"to": "0612345678", "text": "Rappel : rendez-vous demain à 9 h"}
    retry = {"Idempotency-Key": "reminder-2026-11-26-0900"}

    first = client.post("/messages", body, headers=retry)
    message_id = first.json["messages"][0]["id"]
    wait_until(lambda: status_of(client, message_id) == "delivered", SENDING_WAIT)
    again = client.post("/messages", body, headers=retry)  # the client timed out, retries
    # A message posted after the retry: the daemon sends in order, so once it is on the
    # network, a second copy of the first would be too.
    marker = client.post("/messages", {"to": "0698765432", "text": "témoin"})
    marker_id = marker.json["messages"][0]["id"]
    wait_until(lambda: status_of(client, marker_id) == "delivered", SENDING_WAIT)

    assert again.status == 201 and again.json == first.json
    assert [(sms.recipient, sms.text) for sms in sim.sent()] == [
        ("+33612345678", body["text"]),
        ("+33698765432", "témoin"),
    ]


def test_a_cancelled_scheduled_message_never_leaves_and_a_sent_one_cannot_be(
    client, sim, db, start_daemon
):
    start_and_settle(db, start_daemon)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    scheduled = client.post("/messages", {"to": "0612345678", "text": "annulé", "send_at": soon})
    sent = client.post("/messages", {"to": "0698765432", "text": "parti"})
    sent_id = sent.json["messages"][0]["id"]
    wait_until(lambda: status_of(client, sent_id) in {"sent", "delivered"}, SENDING_WAIT)

    assert client.delete(f"/messages/{scheduled.json['messages'][0]['id']}").status == 204
    refused = client.delete(f"/messages/{sent_id}")
    assert refused.status == 409
    assert [sms.text for sms in sim.sent()] == ["parti"]
