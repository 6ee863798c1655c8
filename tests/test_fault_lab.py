"""The fault bench's own pure parts: its ledger and its crafted PDUs (no daemon)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from fault_lab.crafted_pdus import with_concatenation
from fault_lab.ledger import (
    OutboundState,
    QueuedMessage,
    ScenarioResult,
    resume_sample,
    tally_inbound,
    tally_outbound,
)
from fault_lab.recording_network import NetworkPart
from modem import pdu as pdus
from modem import pdu_encoding
from smsbox.models import Status

SENT_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def message(id: int, parts: int = 1) -> QueuedMessage:
    return QueuedMessage(id, f"t-m{id:04d}", f"+3360000{id:04d}", f"t-m{id:04d} texte", parts)


def on_network(queued: QueuedMessage, *part_numbers: int) -> list[NetworkPart]:
    return [
        NetworkPart(queued.number, number, queued.parts, "…", 100.0 + number)
        for number in part_numbers
    ]


def test_it_counts_each_message_once_under_the_worst_thing_that_happened_to_it():
    fine, twice, partial, gone, failed, interrupted = (
        message(1),
        message(2, parts=3),
        message(3, parts=3),
        message(4),
        message(5),
        message(6, parts=3),
    )
    parts = [
        *on_network(fine, 1),
        *on_network(twice, 1, 2, 2, 3),
        *on_network(partial, 1),
        *on_network(interrupted, 1),
    ]
    states = {
        1: OutboundState(Status.SENT, None),
        2: OutboundState(Status.SENT, None),
        3: OutboundState(Status.FAILED, "the serial port failed"),
        4: OutboundState(Status.QUEUED, None),
        5: OutboundState(Status.FAILED, "+CMS ERROR 21 (rejected)"),
        6: OutboundState(Status.INTERRUPTED, "the daemon stopped while sending"),
    }
    result = ScenarioResult("ledger")

    tally_outbound(result, [fine, twice, partial, gone, failed, interrupted], parts, states)

    assert (result.lost, result.sent_twice, result.parts_unsent, result.interrupted) == (1, 1, 1, 1)
    assert "lost: t-m0004" in result.notes
    assert "sent twice: t-m0002" in result.notes


def test_it_counts_a_message_marked_sent_that_the_network_never_saw_as_lost():
    result = ScenarioResult("ledger")
    tally_outbound(result, [message(1)], [], {1: OutboundState(Status.SENT, None)})
    assert result.lost == 1


def test_it_counts_inbound_texts_missing_or_stored_twice():
    result = ScenarioResult("ledger")
    tally_inbound(
        result,
        delivered={"OK": 5, "bonjour": 1, "merci": 1},
        stored={"OK": 1, "bonjour": 2, "merci": 1},
    )
    assert (result.lost, result.sent_twice) == (4, 1)


def test_it_measures_resume_from_the_fault_end_and_calls_no_traffic_never():
    assert resume_sample(10.0, [9.0, 12.5, 11.0]) == 1.0
    assert resume_sample(10.0, [10.0, 10.5]) == 0.5
    assert resume_sample(10.0, [9.0]) is None
    result = ScenarioResult("resume", resume_samples=[1.0, None])
    assert math.isinf(result.resume_seconds)
    assert not result.targets_met
    assert ScenarioResult("no faults").resume_seconds is None


@pytest.mark.parametrize(("part", "new_number"), [(0, 0), (1, 3)])
def test_it_crafts_a_part_claiming_another_part_number(part, new_number):
    parts = pdu_encoding.encode_deliver(
        "+33611111111", "partie d'un long message, " * 8, smsc="+33609001390", sent_at=SENT_AT
    )
    crafted = with_concatenation(parts[part], number=new_number)

    reference, number, total = pdus.concatenation(pdus.decode(crafted))
    assert (reference, total) == pdus.concatenation(pdus.decode(parts[part]))[::2]
    assert number == new_number
    assert pdus.decode(crafted)["Text"] == pdus.decode(parts[part])["Text"]


def test_it_refuses_to_renumber_a_single_sms():
    (single,) = pdu_encoding.encode_deliver(
        "+33611111111", "court", smsc="+33609001390", sent_at=SENT_AT
    )
    with pytest.raises(ValueError, match="no user data header"):
        with_concatenation(single, number=0)
