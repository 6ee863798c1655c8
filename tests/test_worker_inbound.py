"""The worker's receiving side through a fake driver: a SIM in memory, no port, no AT."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fake_driver import FakeDriver
from sqlalchemy import select

from fault_lab.crafted_pdus import with_concatenation
from modem import receiver as receiver_module
from modem.errors import ModemError
from modem.pdu_encoding import encode_deliver
from modem.worker import ModemWorker
from smsbox import keyword_replies, optouts
from smsbox.config import MessagingConfig, ModemConfig
from smsbox.inbox import slot_key
from smsbox.models import Direction, InboundPart, Message, Status

SENDER = "+33612345678"
SMSC = "+33609001390"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def deliver(text: str) -> list[str]:
    return encode_deliver(SENDER, text, smsc=SMSC, sent_at=SENT_AT)


def sim_holding(*pdus: str) -> FakeDriver:
    return FakeDriver(slots=dict(enumerate(pdus, start=1)))


def connect(sessions, sim: FakeDriver) -> ModemWorker:
    worker = ModemWorker(
        ModemConfig(name="sim1", device="/dev/null"),
        sim,
        sessions,
        messaging=MessagingConfig(default_region="FR"),
        stop=threading.Event(),
    )
    worker.connect()
    return worker


def inbound(sessions) -> list[Message]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == Direction.INBOUND).order_by(Message.id)
            )
        )


def test_it_stores_parts_that_make_no_message_as_received_with_the_reason(sessions):
    first, second = deliver("f" * 200)
    numbered_0 = with_concatenation(second, reference=1, total=2, number=0)
    sim = sim_holding(
        with_concatenation(first, reference=1, total=2, number=1),
        numbered_0,
        with_concatenation(first, reference=2, total=2, number=3),
        *deliver("normal"),
    )
    connect(sessions, sim)

    broken_0, broken_3, normal = inbound(sessions)
    assert broken_0.status == broken_3.status == normal.status == Status.RECEIVED
    assert broken_0.error == "its parts make no message: part 0 of 2 cannot exist"
    assert broken_0.body == "f" * 200  # what each part carries, in part-number order
    assert broken_3.error == "its parts make no message: part 3 of 2 cannot exist"
    assert broken_3.body == "f" * 153
    assert (normal.body, normal.error) == ("normal", None)
    with sessions() as session:
        kept = session.scalars(select(InboundPart).order_by(InboundPart.id)).all()
        assert [part.message_id for part in kept] == [broken_0.id] * 2 + [broken_3.id, normal.id]
        assert kept[1].pdu == numbered_0
    assert sim.slots == {}


def test_it_stores_the_others_when_joining_one_message_fails_unexpectedly(sessions, monkeypatch):
    real_join = receiver_module.pdus.join_text

    def join_text(pdus: list[str]) -> str:
        if real_join(pdus) == "boom":
            raise RuntimeError("a bug in joining")
        return real_join(pdus)

    monkeypatch.setattr(receiver_module.pdus, "join_text", join_text)
    connect(sessions, sim_holding(*deliver("avant"), *deliver("boom"), *deliver("après")))

    before, failed, after = inbound(sessions)
    assert (before.body, before.error, after.body, after.error) == ("avant", None, "après", None)
    assert (failed.body, failed.error) == ("boom", "its parts make no message: a bug in joining")


def test_it_leaves_parts_waiting_for_their_message_pending(sessions):
    first, _ = deliver("g" * 200)
    connect(sessions, sim_holding(first))
    assert inbound(sessions) == []


def test_it_stores_nothing_twice_when_it_died_between_the_commit_and_the_delete(sessions):
    (pdu,) = deliver("une seule fois")
    sim = sim_holding(pdu)
    sim.failing_deletes = 1
    with pytest.raises(ModemError):
        connect(sessions, sim)  # stored and committed, then the port went: the worker is gone
    assert sim.slots == {1: pdu}

    connect(sessions, sim)  # the next worker reads the same slot again

    (message,) = inbound(sessions)
    assert message.body == "une seule fois"
    assert sim.slots == {}
    with sessions() as session:
        assert session.scalars(select(InboundPart.key)).all() == [None]


def test_it_takes_the_same_pdu_again_in_a_slot_emptied_before_a_crash(sessions):
    (pdu,) = deliver("deux fois")
    sim = sim_holding(pdu)
    worker = connect(sessions, sim)
    # The worker died after the delete, before releasing the slot: its key is still set.
    with sessions() as session:
        session.scalars(select(InboundPart)).one().key = slot_key(worker.modem_id, "SM", 1, pdu)
        session.commit()

    connect(sessions, sim)  # slot 1 is empty: it is released
    sim.slots[1] = pdu  # the same octets again, in the same slot
    connect(sessions, sim)

    assert [message.body for message in inbound(sessions)] == ["deux fois"] * 2


def test_it_keeps_a_long_message_missing_a_part_as_incomplete_once_the_wait_is_over(sessions):
    first, _, third = deliver("h" * 400)
    sim = sim_holding(first, third)
    connect(sessions, sim)
    assert inbound(sessions) == []  # the middle part may still come

    with sessions() as session:
        for part in session.scalars(select(InboundPart)):
            part.received_at -= timedelta(hours=24, seconds=1)
        session.commit()
    connect(sessions, sim)

    (message,) = inbound(sessions)
    assert message.error == "its parts make no message: part 2 of 3 is missing"
    assert message.body == "h" * 153 + "[part 2 of 3 missing]" + "h" * (400 - 2 * 153)


# -- the STOP list ------------------------------------------------------------------


def optouts_kept(sessions) -> list[tuple[str, int | None]]:
    with sessions() as session:
        return [(row.number, row.source_message_id) for row in optouts.list_optouts(session)]


def test_it_puts_the_sender_of_a_stop_on_the_list_once(sessions):
    connect(sessions, sim_holding(*deliver("Stop."), *deliver("bonjour"), *deliver("ARRÊT")))

    first_stop, _, second_stop = inbound(sessions)
    assert second_stop.body == "ARRÊT"
    assert optouts_kept(sessions) == [(SENDER, first_stop.id)]


def test_it_does_not_take_a_long_message_it_could_not_join_for_a_stop(sessions):
    _, stop = deliver("x" * 153 + "  STOP  ")  # a second part that carries only " STOP "
    connect(sessions, sim_holding(with_concatenation(stop, reference=1, total=2, number=3)))

    (broken,) = inbound(sessions)
    assert (broken.body, broken.error is not None) == ("  STOP  ", True)
    assert optouts_kept(sessions) == []


def test_it_keeps_the_stop_message_when_the_list_cannot_be_written(sessions, monkeypatch):
    def opt_out(*_: object, **__: object) -> None:
        raise RuntimeError("the opt-out list is broken")

    monkeypatch.setattr(keyword_replies.optouts, "opt_out", opt_out)
    sim = sim_holding(*deliver("STOP"), *deliver("après"))
    connect(sessions, sim)

    assert [message.body for message in inbound(sessions)] == ["STOP", "après"]
    assert sim.slots == {}
