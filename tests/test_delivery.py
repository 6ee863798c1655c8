"""Delivery reports applied to parts and messages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from outbox_rows import queue
from sqlalchemy import select

from smsbox import delivery, sending
from smsbox.models import Message, Status, WebhookDelivery, utcnow
from smsbox.modems import ensure_modem
from smsbox.webhooks.endpoints import add_endpoint

AT = utcnow()
NUMBER = "+33611111111"


def sent_message(session, modem_id: int, references: list[int], *, number=NUMBER) -> Message:
    """A message on the network, one part per reference, sent a second apart."""
    message = sending.claim_next(session, modem_id)
    assert message is not None
    assert message.number == number
    sending.prepare_parts(message, ["00AA"] * len(references))
    for part, reference in zip(message.parts, references, strict=True):
        sending.record_handover(part)
        sending.record_part_sent(message, part, reference)
    session.flush()
    assert message.status == Status.SENT
    return message


def report(session, modem_id, reference, outcome=Status.DELIVERED, recipient=NUMBER):
    """As the daemon does, on what was written before; then the test reads again."""
    session.flush()
    reported = delivery.record_report(
        session, modem_id, reference, recipient, outcome, AT, default_region="FR"
    )
    session.expire_all()
    return reported


def test_it_delivers_a_message_once_every_part_is_delivered(sessions, modem_id):
    queue(sessions, "0611111111")
    with sessions() as session:
        message = sent_message(session, modem_id, [10, 11, 12])
        for reference in (12, 10):
            assert report(session, modem_id, reference) is not None
            assert message.status == Status.SENT
        report(session, modem_id, 11)
        assert message.status == Status.DELIVERED
        assert message.delivered_at == AT
        assert [part.status for part in message.parts] == [Status.DELIVERED] * 3


@pytest.mark.parametrize("outcome", [Status.FAILED, Status.EXPIRED])
def test_it_ends_a_message_failed_or_expired_as_soon_as_one_part_is(sessions, modem_id, outcome):
    queue(sessions, "0611111111")
    with sessions() as session:
        message = sent_message(session, modem_id, [20, 21])
        report(session, modem_id, 21, outcome)
        assert message.status == outcome
        assert message.error.startswith("part 2 of 2: the network reports it")


def test_it_matches_a_wrapped_reference_to_the_most_recent_part(sessions, modem_id):
    queue(sessions, "0611111111", "0611111111")
    with sessions() as session:
        older = sent_message(session, modem_id, [7])
        older.parts[0].sent_at = AT - timedelta(hours=2)
        newer = sent_message(session, modem_id, [7])
        report(session, modem_id, 7)
        assert (older.status, newer.status) == (Status.SENT, Status.DELIVERED)


def test_it_matches_the_recipient_and_the_modem_too(sessions, modem_id):
    queue(sessions, "0611111111")
    with sessions() as session:
        other_modem = ensure_modem(session, "sim2", "/dev/ttyUSB1")
        message = sent_message(session, modem_id, [30])
        assert report(session, modem_id, 30, recipient="+33622222222") is None
        assert report(session, other_modem, 30) is None
        assert report(session, modem_id, 30, recipient="0611111111") is not None
        assert message.status == Status.DELIVERED


def test_it_ignores_an_unknown_reference_and_a_second_report(sessions, modem_id):
    queue(sessions, "0611111111")
    with sessions() as session:
        message = sent_message(session, modem_id, [40])
        assert report(session, modem_id, 41) is None
        report(session, modem_id, 40)
        assert report(session, modem_id, 40, Status.FAILED) is None
        assert message.status == Status.DELIVERED


def test_it_leaves_an_interrupted_message_for_a_person_but_records_its_parts(sessions, modem_id):
    queue(sessions, "0611111111")
    with sessions() as session:
        message = sending.claim_next(session, modem_id)
        sending.prepare_parts(message, ["00AA", "00BB"])
        first, second = message.parts
        sending.record_handover(first)
        sending.record_part_sent(message, first, 50)
        sending.record_handover(second)
        sending.record_unknown_outcome(second, "no answer")
        sending.settle(message)
        report(session, modem_id, 50)
        assert first.status == Status.DELIVERED
        assert message.status == Status.INTERRUPTED


def test_it_refuses_to_make_a_part_anything_but_reported(sessions, modem_id):
    with sessions() as session, pytest.raises(ValueError):
        report(session, modem_id, 1, Status.QUEUED)


def test_a_report_that_settles_a_message_queues_its_event(sessions, modem_id):
    with sessions() as session:
        add_endpoint(
            session,
            "http://192.168.1.20/hooks",
            ["message.delivered", "message.failed"],
            created_by="admin",
        )
        session.commit()
    queue(sessions, "0611111111", "0611111111")
    with sessions() as session:
        delivered = sent_message(session, modem_id, [60, 61]).id
        failed = sent_message(session, modem_id, [62]).id
        report(session, modem_id, 60)
        assert session.scalars(select(WebhookDelivery)).all() == []  # one part of two
        report(session, modem_id, 61)
        report(session, modem_id, 62, Status.EXPIRED)
        session.commit()
        told = [
            json.loads(payload)
            for payload in session.scalars(select(WebhookDelivery.payload).order_by("id"))
        ]
    assert [(event["type"], event["data"]["id"]) for event in told] == [
        ("message.delivered", delivered),
        ("message.failed", failed),
    ]
    assert told[0]["data"]["status"] == "delivered" and told[0]["data"]["delivered_at"]
    assert told[1]["data"]["error"].startswith("the network reports it expired")
