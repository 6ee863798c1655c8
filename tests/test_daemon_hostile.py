"""The daemon against hostile inbound messages: each one costs nothing but itself."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from daemon_fixtures import messages
from databases import database_toml
from waiting import wait_until

from fault_lab.crafted_pdus import with_concatenation
from modem.pdu_encoding import encode_deliver
from smsbox import outbox
from smsbox.models import Direction, Message, Status

SMSBOX = str(Path(sys.executable).parent / "smsbox")
SENDER = "+33698765432"
UNDECODABLE_PDU = "07913306091093F0" + "FF" * 10  # an SMSC address, then no TPDU gammu reads


def test_it_leaves_an_undecodable_sms_on_the_sim_and_receives_the_next(
    db, sim, start_daemon, caplog
):
    caplog.set_level(logging.INFO, logger="modem")
    sim.deliver_pdu(UNDECODABLE_PDU)
    start_daemon()
    sim.deliver(SENDER, "reçu après l'illisible")

    (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
    assert received.body == "reçu après l'illisible"
    assert [stored.pdu for stored in sim.engine.storage.messages.values()] == [UNDECODABLE_PDU]
    assert any("unreadable SMS at 1" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if record.exc_info]


@pytest.fixture
def daemon_process(modem_config, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """`smsbox daemon` in its own process, on the test's database and simulated modem.

    For what once froze the daemon inside python-gammu holding the GIL: a test thread
    could not even have timed it out, a process can be. It must stop on SIGTERM.
    """
    config = tmp_path / "smsbox.toml"
    config.write_text(
        'data_dir = "data"\n'
        '[messaging]\ndefault_region = "FR"\ntimezone = "Europe/Paris"\n'
        f'[[modem]]\nname = "sim"\ndevice = "{modem_config.modems[0].device}"\n'
        + database_toml(modem_config.data_dir)
    )
    log = tmp_path / "daemon.log"
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        with log.open("ab") as output:
            process = subprocess.Popen(
                [SMSBOX, "--config", str(config), "daemon"], stdout=output, stderr=output
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"the daemon ignored SIGTERM; its log:\n{log.read_text()}")
        assert process.returncode == 0, log.read_text()


def inbound(db, count: int) -> list[Message]:
    """The inbound messages once there are `count`."""
    return wait_until(
        lambda: (found := messages(db, Direction.INBOUND)) and len(found) == count and found,
        timeout=30,
    )


def test_it_stores_crafted_long_messages_with_an_error_and_keeps_serving(db, sim, daemon_process):
    sent_at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    first, second = encode_deliver(SENDER, "h" * 200, smsc=sim.network.smsc, sent_at=sent_at)
    # A real message whose second part says it is part 0 of 2: python-gammu's LinkSMS
    # spun on it forever, holding the GIL, at every start, for the SIM is read at connect.
    sim.deliver_pdu(with_concatenation(first, reference=1, total=2, number=1))
    sim.deliver_pdu(with_concatenation(second, reference=1, total=2, number=0))
    daemon_process()
    (numbered_0,) = inbound(db, 1)
    # Part 3 of 2 made joining raise at every reconnect instead.
    sim.deliver_pdu(with_concatenation(second, reference=2, total=2, number=3))
    numbered_3 = inbound(db, 2)[1]

    assert (numbered_0.status, numbered_3.status) == (Status.RECEIVED, Status.RECEIVED)
    assert numbered_0.error == "its parts make no message: part 0 of 2 cannot exist"
    assert numbered_0.body == "h" * 200
    assert numbered_3.error == "its parts make no message: part 3 of 2 cannot exist"
    assert numbered_3.body == "h" * 47
    with db() as session:
        outbox.queue_message(session, "0612345678", "envoyé après", default_region="FR")
        session.commit()
    (submitted,) = sim.wait_for_sent(1, timeout=30)
    assert submitted.text == "envoyé après"
    sim.deliver(SENDER, "reçu après")
    received = inbound(db, 3)[2]
    assert (received.body, received.error) == ("reçu après", None)
    wait_until(lambda: not sim.engine.storage.messages)


def test_it_receives_the_same_sms_five_times_as_five_messages(db, sim, start_daemon):
    # The same text from one sender in one second: five times the same octets.
    sent_at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    (pdu,) = encode_deliver(SENDER, "cinq fois", smsc=sim.network.smsc, sent_at=sent_at)
    for _ in range(3):
        sim.deliver_pdu(pdu)  # read at start
    start_daemon()
    inbound(db, 3)
    for _ in range(2):
        sim.deliver_pdu(pdu)  # announced while running

    received = inbound(db, 5)
    assert [message.body for message in received] == ["cinq fois"] * 5
    wait_until(lambda: not sim.engine.storage.messages)
