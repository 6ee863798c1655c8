"""The daemon against a misbehaving modem: nothing lost, nothing sent twice."""

from __future__ import annotations

import sqlite3
import time

import pytest
from daemon_fixtures import (
    ON_THE_NETWORK,
    configured,
    messages,
    modem_state,
    run_daemon_until,
    start_and_settle,
)
from databases import sqlite_only
from waiting import wait_until

from modem import channel
from modem.sim import SimulatedModem
from modem.sim.profiles import PROFILES
from smsbox import database, outbox
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, MessagePart, Modem, Status

# Issue 11's target: traffic resumes within 10 s of a fault ending.
RESUMED_WITHIN = 10
# A modem that restarts without a word is noticed at the next settings check.
SETTLED_WITHIN = 15
FINISHED = {*ON_THE_NETWORK, Status.FAILED, Status.INTERRUPTED}


def queue(db, text: str, number: str = "0612345678") -> None:
    with db() as session:
        outbox.queue_message(session, number, text, default_region="FR")
        session.commit()


def test_it_retries_after_a_network_congestion_and_sends_once(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.fail_next(1, 42)
    queue(db, "après l'encombrement")

    (submitted,) = sim.wait_for_sent(1)
    assert submitted.text == "après l'encombrement"
    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK]
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


# -- issue 11: the promise under faults --------------------------------------------------


def outbound(db, status: Status) -> list:
    return [m for m in messages(db, Direction.OUTBOUND) if m.status == status]


def on_the_network(db) -> list:
    return [m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK]


def test_it_gives_a_wrong_pin_once_and_never_again_even_after_a_restart(tmp_path):
    device = str(tmp_path / "modem")
    config = configured(tmp_path, device, pin="1111")
    engine = make_engine(config.database_url)
    db = make_session_factory(engine)
    with SimulatedModem(device, pin="4321") as sim:
        for _ in range(2):  # two daemon starts with the same wrong PIN
            run_daemon_until(config, lambda: "refused the pin" in (modem_error(db) or ""))

        assert sim.engine.sim.pin_retries == 2  # one wrong try, the SIM still far from its PUK
        assert sim.engine.sim.state == "SIM PIN"
    engine.dispose()


def test_it_gives_a_corrected_pin_after_a_refused_one(tmp_path):
    device = str(tmp_path / "modem")
    engine = make_engine(configured(tmp_path, device, pin="1111").database_url)
    db = make_session_factory(engine)
    with SimulatedModem(device, pin="4321") as sim:
        run_daemon_until(
            configured(tmp_path, device, pin="1111"),
            lambda: "refused" in (modem_error(db) or ""),
        )
        run_daemon_until(
            configured(tmp_path, device, pin="4321"), lambda: modem_state(db) == "ready"
        )
        assert sim.engine.sim.state == "READY"
    engine.dispose()


def modem_error(db) -> str | None:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem.last_error if modem else None


def test_it_never_resends_a_part_whose_answer_was_lost_with_the_port(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.slow(3)  # the submission is under way when the port goes
    queue(db, "parti ou pas ?")
    # The modem has the PDU: `sending` alone comes a moment before it is written.
    wait_until(lambda: sim.engine.holding_a_submission)
    assert part_states(db) == [Status.SENDING]
    sim.vanish(1)

    (message,) = wait_until(lambda: outbound(db, Status.INTERRUPTED), timeout=20)
    assert "smsbox resend" in message.error
    sim.slow(0)
    queue(db, "après la coupure")
    wait_until(lambda: on_the_network(db), timeout=20)
    time.sleep(0.5)
    assert [sms.text for sms in sim.sent()] == ["après la coupure"]


def test_it_never_resends_a_part_the_network_took_after_the_answer_timed_out(
    db, sim, start_daemon, monkeypatch
):
    monkeypatch.setattr(channel, "SUBMIT_TIMEOUT", 1.0)
    start_and_settle(db, start_daemon)
    sim.slow(2)  # the network takes it a second after the daemon stopped waiting
    queue(db, "réseau très lent")

    (message,) = wait_until(lambda: outbound(db, Status.INTERRUPTED))
    assert "may have it" in message.error
    sim.slow(0)
    queue(db, "réseau revenu")
    wait_until(lambda: on_the_network(db), timeout=20)
    time.sleep(1)
    assert [sms.text for sms in sim.sent()] == ["réseau très lent", "réseau revenu"]


def part_states(db) -> list[Status]:
    with db() as session:
        return [part.status for part in session.query(MessagePart).order_by(MessagePart.id)]


def test_it_sends_every_part_once_while_missed_calls_ring(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.slow(0.4)  # so that each call's NO CARRIER comes while AT+CMGS waits
    texts = [f"message {n} en trois parties, pendant les appels " * 7 for n in range(3)]
    for text in texts:
        queue(db, text)
    for _ in range(4):
        sim.call("+33698765432", rings=1, interval=0.3)
        time.sleep(0.8)

    wait_until(lambda: len(on_the_network(db)) == len(texts), timeout=30)
    assert sorted(sms.text for sms in sim.sent()) == sorted(texts)
    assert len(sim.network.parts_taken()) == len(part_states(db)) == 3 * len(texts)
    assert any(call.outcome == "missed" for call in sim.network.calls())


@sqlite_only
def test_it_outlives_a_database_locked_longer_than_its_busy_timeout(
    db, sim, start_daemon, modem_config, monkeypatch
):
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    start_and_settle(db, start_daemon)
    queue(db, "après le verrou")
    locker = sqlite3.connect(modem_config.database_url.removeprefix("sqlite:///"))
    locker.execute("BEGIN IMMEDIATE")
    time.sleep(3)
    locker.rollback()
    locker.close()

    (message,) = wait_until(lambda: on_the_network(db), timeout=20)
    assert message.body == "après le verrou"
    wait_until(lambda: modem_state(db) == "ready")
    sim.deliver("+33698765432", "toujours là")
    wait_until(lambda: messages(db, Direction.INBOUND))
    assert len(sim.sent()) == 1


@pytest.mark.parametrize("profile", ["sim800", "huawei-e3372"])
def test_it_takes_in_sms_soon_after_the_modem_restarted_by_itself(
    db, modem_config, start_daemon, profile, caplog
):
    with SimulatedModem(modem_config.modems[0].device, profile=PROFILES[profile]) as sim:
        start_and_settle(db, start_daemon)
        sim.reboot()  # settings back to factory: no more +CMTI
        sim.deliver("+33698765432", "après le redémarrage")

        (received,) = wait_until(lambda: messages(db, Direction.INBOUND), timeout=SETTLED_WITHIN)
        assert received.body == "après le redémarrage"
        # Set up again on the line it had, not through a failure and a reconnect.
        assert "setting it up again" in caplog.text
        assert "unexpected failure" not in caplog.text


def test_it_sends_again_within_seconds_of_a_silence_ending(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.go_silent(5)
    silence_ends = time.monotonic() + 5
    queue(db, "après le silence")

    wait_until(lambda: on_the_network(db), timeout=20)
    assert time.monotonic() - silence_ends < RESUMED_WITHIN
    assert [sms.text for sms in sim.sent()] == ["après le silence"]


def test_it_neither_loses_nor_duplicates_while_the_port_keeps_vanishing(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.slow(0.2)  # a window after each Ctrl-Z for the port to vanish in
    texts = [f"envoi {n} malgré les coupures" for n in range(30)]
    for text in texts:
        queue(db, text)
    for round_number in range(1, 4):
        wait_until(lambda n=round_number: len(sim.sent()) >= 3 * n, timeout=20)
        sim.vanish(1)

    wait_until(
        lambda: all(m.status in FINISHED for m in messages(db, Direction.OUTBOUND)), timeout=40
    )
    arrived = [sms.text for sms in sim.sent()]
    assert len(arrived) == len(set(arrived))  # nothing twice
    for message in messages(db, Direction.OUTBOUND):
        # Sent, or interrupted for a person when the port went with the answer.
        assert message.status in {*ON_THE_NETWORK, Status.INTERRUPTED}
        assert (message.body in arrived) or message.status == Status.INTERRUPTED
