"""The daemon against a misbehaving modem: nothing lost, nothing sent twice."""

from __future__ import annotations

import time

from daemon_fixtures import messages
from waiting import wait_until

from modem.sim import SimulatedModem
from smsbox import outbox
from smsbox.models import Direction, Modem, Status


def queue(db, text: str, number: str = "0612345678") -> None:
    with db() as session:
        outbox.queue_message(session, number, text, default_region="FR")
        session.commit()


def modem_state(db) -> str:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem.state if modem else ""


def signal_recorded(db) -> bool:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem is not None and modem.signal_quality is not None


def start_and_settle(db, start_daemon) -> None:
    """The daemon connected and idle: its first signal poll done, the next AT command
    is the one a test provokes (the next poll is a minute away)."""
    start_daemon()
    wait_until(lambda: modem_state(db) == "ready" and signal_recorded(db))


def test_it_retries_after_a_network_congestion_and_sends_once(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.fail_next(1, 42)
    queue(db, "après l'encombrement")

    (submitted,) = sim.wait_for_sent(1)
    assert submitted.text == "après l'encombrement"
    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status == Status.SENT]
    )
    assert message.attempts == 2
    time.sleep(0.5)
    assert len(sim.sent()) == 1


def test_it_fails_a_message_the_network_rejects_for_good_with_the_reason(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.fail_next(1, 21)
    queue(db, "refusé")

    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status == Status.FAILED]
    )
    assert "+CMS ERROR 21" in message.error
    assert "rejected" in message.error
    assert sim.sent() == []


def test_it_reconnects_when_the_port_comes_back_and_sends_what_was_queued(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.vanish(1.0)
    queue(db, "envoyé après le retour du port")

    (submitted,) = sim.wait_for_sent(1, timeout=20)
    assert submitted.text == "envoyé après le retour du port"
    sim.deliver("+33698765432", "reçu après le retour")
    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.body == "reçu après le retour"


def test_it_ignores_garbage_on_the_line(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.send_garbage(3)
    sim.send_garbage(2, now=True)
    queue(db, "malgré le bruit")
    sim.deliver("+33698765432", "reçu malgré le bruit")

    (submitted,) = sim.wait_for_sent(1)
    assert submitted.text == "malgré le bruit"
    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.body == "reçu malgré le bruit"


def test_it_loses_nothing_when_the_sim_was_full_while_it_was_down(db, sim, start_daemon):
    capacity = sim.engine.storage.capacity
    texts = [f"message {number} — ça déborde" for number in range(capacity + 5)]
    for text in texts:
        sim.deliver("+33611111111", text)
    wait_until(lambda: sim.engine.storage.full)
    assert sim.waiting == 5  # the network holds what the SIM has no room for

    start_daemon()

    wait_until(lambda: len(messages(db, Direction.INBOUND)) == len(texts), timeout=30)
    assert sorted(m.body for m in messages(db, Direction.INBOUND)) == sorted(texts)
    assert sim.waiting == 0
    wait_until(lambda: not sim.engine.storage.messages)


def test_it_keeps_a_queued_message_queued_while_the_sim_asks_for_a_pin_it_lacks(
    db, modem_config, start_daemon
):
    with SimulatedModem(modem_config.modems[0].device, pin="4321"):
        queue(db, "en attente du code PIN")
        start_daemon()
        wait_until(lambda: modem_state(db) == "error")
        with db() as session:
            error = session.query(Modem).one().last_error
        assert "PIN" in error
        assert messages(db, Direction.OUTBOUND)[0].status == Status.QUEUED


def test_it_catches_a_new_message_announced_inside_the_answer_to_a_send(db, sim, start_daemon):
    events: list[str] = []
    sim.on_event = events.append
    start_and_settle(db, start_daemon)
    sim.urcs_inside_answers(1)
    sim.deliver("+33698765432", "annoncé au milieu d'une réponse")
    time.sleep(0.3)
    queue(db, "envoyé pendant l'annonce")

    (submitted,) = sim.wait_for_sent(1)
    assert submitted.text == "envoyé pendant l'annonce"
    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.body == "annoncé au milieu d'une réponse"
    assert any("inside the answer to 'AT+CMGS=" in event for event in events)
