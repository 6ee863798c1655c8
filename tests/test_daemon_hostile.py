"""The daemon against hostile inbound messages: each one costs nothing but itself."""

from __future__ import annotations

import logging

from daemon_fixtures import messages
from waiting import wait_until

from smsbox.models import Direction

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
