"""The real daemon against a simulated modem on a real pty, the web page reading the result."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import gammu
import pytest
from daemon_fixtures import EVERY_DRIVER, ON_THE_NETWORK, SENDING_WAIT, held_sms, messages
from waiting import wait_until

from modem.pdu import split_smsc
from modem.pdu_encoding import encode_deliver, encode_submit
from modem.sim import SimulatedModem
from modem.sim.profiles import PROFILES
from smsbox import outbox, sending
from smsbox.models import Direction, Message, Modem, Status
from smsbox.users import create_user
from web import create_app

PASSWORD = "correct horse battery"

pytestmark = EVERY_DRIVER


def test_it_sends_a_queued_sms_to_the_network_with_the_exact_number_and_text(db, sim, start_daemon):
    with db() as session:
        outbox.queue_message(session, "06 12 34 56 78", "Bonjour é ç €", default_region="FR")
        session.commit()
    start_daemon()

    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    decoded = gammu.DecodePDU(bytes.fromhex(submitted.parts[0]), SMSC=True)
    assert decoded["Number"] == "+33612345678"
    assert decoded["Text"] == "Bonjour é ç €"
    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK]
    )
    with db() as session:
        parts = session.get(Message, message.id).parts
        assert [part.reference for part in parts] == submitted.references


def test_it_sends_a_long_message_as_parts_that_join_back_exactly(db, sim, start_daemon):
    text = "Rendez-vous à 14 h, salle € ç 😀 — " * 12
    with db() as session:
        outbox.queue_message(session, "+33612345678", text, default_region="FR")
        session.commit()
    start_daemon()

    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert submitted.text == text
    assert len(submitted.parts) > 1
    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK]
    )
    with db() as session:
        assert len(session.get(Message, message.id).parts) == len(submitted.parts)


def test_it_stores_a_delivered_sms_and_shows_it_on_the_web_page(
    modem_config, db, sim, start_daemon
):
    start_daemon()
    sim.deliver("+33698765432", "Réponse: <b>oui</b> 😀")

    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.number == "+33698765432"
    assert received.body == "Réponse: <b>oui</b> 😀"
    wait_until(lambda: not held_sms(sim))  # deleted from the modem once stored

    with db() as session:
        create_user(session, "alice", PASSWORD)
        session.commit()
    client = create_app(modem_config, db).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    listing = client.get("/messages/received").get_data(as_text=True)
    assert "Réponse: &lt;b&gt;oui&lt;/b&gt; 😀" in listing
    assert "+33698765432" in listing


def test_it_reads_messages_left_on_the_sim_while_the_daemon_was_down(db, sim, start_daemon):
    for pdu in encode_deliver(
        "+33611111111",
        "pendant la coupure " * 10,
        smsc="+33609001390",
        sent_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    ):
        assert sim.engine.receive(pdu)
    start_daemon()

    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.body == "pendant la coupure " * 10
    assert not held_sms(sim)


def left_mid_send(db, sim, text: str, part_states: list[Status]) -> int:
    """A message as a daemon killed while sending it leaves it: claimed, parts encoded,
    each part in the state given."""
    with db() as session:
        modem = Modem(name="sim", device=str(sim.link))
        session.add(modem)
        session.flush()
        message = outbox.queue_message(session, "0612345678", text, default_region="FR")
        message.status = Status.SENDING
        message.modem_id = modem.id
        encoded = encode_submit(message.number, text)
        assert len(encoded) == len(part_states)
        sending.prepare_parts(message, [part.hex for part in encoded])
        for part, state in zip(message.parts, part_states, strict=True):
            part.status = state
        session.commit()
        return message.id


def tpdu_of(pdu_hex: str) -> bytes:
    return split_smsc(bytes.fromhex(pdu_hex))[1]


def test_it_interrupts_a_part_a_dead_daemon_left_in_the_modems_hands_and_sends_the_rest(
    db, sim, start_daemon
):
    text = "trois parties, la deuxième en suspens " * 10
    message_id = left_mid_send(db, sim, text, [Status.SENT, Status.SENDING, Status.QUEUED])
    start_daemon()

    wait_until(lambda: messages(db, Direction.OUTBOUND)[0].status == Status.INTERRUPTED)
    with db() as session:
        message = session.get_one(Message, message_id)
        first, second, third = (part.status for part in message.parts)
        assert (first, second) == (Status.SENT, Status.INTERRUPTED)
        assert third in ON_THE_NETWORK
        assert "part(s) 2 of 3" in message.error
        third_pdu = message.parts[2].pdu
    time.sleep(1)
    # Part 2 is resent only by a person. (Compared without the SMSC address, which the
    # gammu driver writes out where the stored part says "the SIM's".)
    assert [tpdu_of(pdu) for pdu in sim.network.parts_taken()] == [tpdu_of(third_pdu)]


def test_it_sends_a_message_a_dead_daemon_left_claimed_but_not_handed_over(db, sim, start_daemon):
    left_mid_send(db, sim, "pas encore parti", [Status.QUEUED])
    start_daemon()

    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert submitted.text == "pas encore parti"
    wait_until(lambda: messages(db, Direction.OUTBOUND)[0].status in ON_THE_NETWORK)
    time.sleep(0.5)
    assert len(sim.network.parts_taken()) == 1


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_it_sends_and_receives_long_unicode_messages_under_every_profile(
    modem_config, db, start_daemon, profile
):
    text = "Ça marche ? Oui — 100 € réglés ✓ 😀 " * 8
    with SimulatedModem(modem_config.modems[0].device, profile=PROFILES[profile]) as sim:
        with db() as session:
            outbox.queue_message(session, "06 12 34 56 78", text, default_region="FR")
            session.commit()
        start_daemon()
        sim.deliver("+33698765432", text)

        (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
        assert (submitted.recipient, submitted.text) == ("+33612345678", text)
        (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
        assert (received.number, received.body) == ("+33698765432", text)
        wait_until(lambda: messages(db, Direction.OUTBOUND)[0].status in ON_THE_NETWORK)
