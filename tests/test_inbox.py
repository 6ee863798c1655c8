from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from fault_lab.crafted_pdus import with_concatenation
from modem.pdu import join_text, received_part
from modem.pdu_encoding import encode_deliver
from smsbox.inbox import (
    assemble,
    ready_groups,
    release_emptied_slots,
    release_slot,
    slot_key,
    store_part,
)
from smsbox.models import Direction, InboundPart, Message, Status, utcnow
from smsbox.modems import ensure_modem

SMSC = "+33609001390"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ALICE = "+33611111111"
BOB = "+33622222222"


def deliver(sender: str, text: str) -> list[str]:
    return encode_deliver(sender, text, smsc=SMSC, sent_at=SENT_AT)


def store(session, modem_id: int, pdus: list[str]) -> None:
    """Each PDU as the worker takes it in: read from slot 1, stored, deleted from there."""
    for pdu in pdus:
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=1)
        release_slot(session, modem_id, "SM", 1, pdu)


def count_parts(session) -> int:
    return session.scalar(select(func.count()).select_from(InboundPart))


def test_it_stores_a_pdu_read_again_from_the_same_slot_only_once(sessions, modem_id):
    (pdu,) = deliver(ALICE, "hello")
    with sessions() as session:
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=3)
        session.commit()
    # The daemon died before deleting it from the SIM: the next start reads it again.
    with sessions() as session:
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=3) is None
        assert (
            store_part(session, modem_id, received_part(pdu.lower()), storage="SM", index=3) is None
        )
        session.commit()
        assert count_parts(session) == 1


def test_it_stores_the_same_pdu_again_as_a_new_message(sessions, modem_id):
    (pdu,) = deliver(ALICE, "hello")  # same sender, same second, same text: same octets
    with sessions() as session:
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=1)
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=2)
        assert store_part(session, modem_id, received_part(pdu), storage="ME", index=1)
        release_slot(session, modem_id, "SM", 1, pdu)  # deleted from the SIM
        assert store_part(session, modem_id, received_part(pdu), storage="SM", index=1)
        session.commit()
        assert count_parts(session) == 4
        assert len(ready_groups(session, modem_id)) == 4


def test_it_releases_the_slots_a_crash_emptied_before_their_release(sessions, modem_id):
    first, second = deliver(ALICE, "un"), deliver(BOB, "deux")
    with sessions() as session:
        store_part(session, modem_id, received_part(first[0]), storage="SM", index=1)
        store_part(session, modem_id, received_part(second[0]), storage="SM", index=2)
        session.commit()
        # Slot 1 was deleted before the crash, slot 2 was not.
        assert release_emptied_slots(session, modem_id, [("SM", 2, second[0])]) == 1
        session.commit()
        keys = set(session.scalars(select(InboundPart.key)))
        assert keys == {None, slot_key(modem_id, "SM", 2, second[0])}
        assert store_part(session, modem_id, received_part(first[0]), storage="SM", index=1)
        assert (
            store_part(session, modem_id, received_part(second[0]), storage="SM", index=2) is None
        )


def test_it_makes_a_long_message_sent_twice_two_messages(sessions, modem_id):
    text = "w" * 200
    first, second = deliver(ALICE, text)  # the same octets twice over
    with sessions() as session:
        store(session, modem_id, [first, second, first, second, first])
        groups = ready_groups(session, modem_id)
        assert [join_text([part.pdu for part in group]) for group in groups] == [text, text]
        assert [[part.part_number for part in group] for group in groups] == [[1, 2], [1, 2]]


def test_it_completes_a_single_sms_at_once(sessions, modem_id):
    (pdu,) = deliver(ALICE, "hello")
    with sessions() as session:
        store(session, modem_id, [pdu])
        (group,) = ready_groups(session, modem_id)
        assert [part.pdu for part in group] == [pdu]


def test_it_holds_a_long_message_until_every_part_arrived(sessions, modem_id):
    text = "z" * 400
    first, second, third = deliver(ALICE, text)
    with sessions() as session:
        store(session, modem_id, [third])
        assert ready_groups(session, modem_id) == []
        store(session, modem_id, [first])
        assert ready_groups(session, modem_id) == []
        store(session, modem_id, [second])
        (group,) = ready_groups(session, modem_id)
        assert [part.part_number for part in group] == [1, 2, 3]
        assert join_text([part.pdu for part in group]) == text


def test_it_gives_up_waiting_for_missing_parts_after_the_time_given(sessions, modem_id):
    first, _, third = deliver(ALICE, "y" * 400)
    with sessions() as session:
        store(session, modem_id, [first, third])
        later = utcnow() + timedelta(hours=2)
        assert ready_groups(session, modem_id, incomplete_after=timedelta(hours=3), now=later) == []
        (group,) = ready_groups(session, modem_id, incomplete_after=timedelta(hours=1), now=later)
        assert [part.part_number for part in group] == [1, 3]


def test_it_keeps_two_senders_long_messages_apart(sessions, modem_id):
    alice = deliver(ALICE, "a" * 400)
    bob = deliver(BOB, "b" * 400)
    # Phones number their concatenated messages independently: references collide.
    assert received_part(alice[0]).concat_ref == received_part(bob[0]).concat_ref
    with sessions() as session:
        store(session, modem_id, [alice[0], bob[1], alice[1], bob[0]])
        assert ready_groups(session, modem_id) == []
        store(session, modem_id, [bob[2]])
        (group,) = ready_groups(session, modem_id)
        assert {part.number for part in group} == {BOB}
        assert join_text([part.pdu for part in group]) == "b" * 400
        store(session, modem_id, [alice[2]])
        groups = ready_groups(session, modem_id)
        assert sorted(join_text([part.pdu for part in group]) for group in groups) == [
            "a" * 400,
            "b" * 400,
        ]


def test_it_keeps_the_same_senders_parts_apart_across_modems(sessions, modem_id):
    with sessions() as session:
        other_id = ensure_modem(session, "sim2", "/dev/ttyUSB1")
        first, second = deliver(ALICE, "c" * 200)
        store(session, modem_id, [first])
        store(session, other_id, [second])
        assert ready_groups(session, modem_id) == []
        assert ready_groups(session, other_id) == []


def test_it_assembles_a_received_inbound_message_with_an_e164_number(sessions, modem_id):
    text = "Bonjour é ç € " * 20
    pdus = deliver("0611111111", text)
    assert len(pdus) > 1
    with sessions() as session:
        store(session, modem_id, pdus)
        (group,) = ready_groups(session, modem_id)
        message = assemble(session, group, join_text([p.pdu for p in group]), default_region="FR")
        session.commit()
        message_id = message.id
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.direction == Direction.INBOUND
        assert message.status == Status.RECEIVED
        assert message.number == ALICE
        assert message.raw_number == "0611111111"
        assert message.body == text
        assert message.modem_id == modem_id
        linked = session.scalars(select(InboundPart.message_id)).all()
        assert linked == [message_id] * len(pdus)
        assert ready_groups(session, modem_id) == []


def test_it_keeps_an_alphanumeric_sender_on_the_assembled_message(sessions, modem_id):
    (pdu,) = deliver("ORANGE", "Votre facture est disponible")
    with sessions() as session:
        store(session, modem_id, [pdu])
        (group,) = ready_groups(session, modem_id)
        message = assemble(session, group, join_text([pdu]), default_region="FR")
        assert message.number == "ORANGE"


def test_it_makes_parts_that_can_never_complete_ready_at_once(sessions, modem_id):
    first, second = deliver(ALICE, "d" * 200)
    numbered_0 = with_concatenation(second, reference=1, total=2, number=0)
    numbered_3 = with_concatenation(second, reference=2, total=2, number=3)
    with sessions() as session:
        store(session, modem_id, [with_concatenation(first, reference=1, total=2, number=1)])
        assert ready_groups(session, modem_id) == []
        store(session, modem_id, [numbered_0, numbered_3])
        groups = ready_groups(session, modem_id)
        assert sorted([part.part_number for part in group] for group in groups) == [[1, 0], [3]]


def test_it_gives_two_different_parts_under_one_number_to_the_join_together(sessions, modem_id):
    first, second = deliver(ALICE, "e" * 200)
    reference = received_part(first).concat_ref
    assert reference is not None
    other_second = with_concatenation(first, reference=reference, total=2, number=2)
    with sessions() as session:
        store(session, modem_id, [first, second, other_second])
        (group,) = ready_groups(session, modem_id)
        assert sorted(part.pdu for part in group) == sorted([first, second, other_second])


def test_it_keeps_why_a_message_could_not_be_joined(sessions, modem_id):
    (pdu,) = deliver(ALICE, "texte récupéré")
    with sessions() as session:
        store(session, modem_id, [pdu])
        (group,) = ready_groups(session, modem_id)
        message = assemble(
            session, group, "texte récupéré", default_region="FR", error="part 0 of 2"
        )
        session.commit()
        assert (message.status, message.error) == (Status.RECEIVED, "part 0 of 2")
        assert ready_groups(session, modem_id) == []
