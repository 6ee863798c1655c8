"""What one send costs the database: no more statements than crash safety needs
(the claim, the part committed as handed over before its PDU is written, the
modem's answer committed after)."""

from __future__ import annotations

import threading

from databases import ON_POSTGRESQL
from outbox_rows import queue, status_of
from sqlalchemy import event

from modem.drivers import DriverSettings, open_driver
from modem.drivers.contract import PduRequest
from modem.sender import MessageSender
from modem.sim import SimulatedModem
from smsbox.models import Status
from smsbox.webhooks.events import subscriptions

# The claim: one statement takes the message (checking the STOP list and whose turn
# it is among the modems) and returns it, and on PostgreSQL records the modem's last
# claim too, which SQLite cannot do in the same statement; then the part as handed
# over, the part and the message as sent.
STATEMENTS_PER_SINGLE_PART_SEND = 4 if ON_POSTGRESQL else 5


def test_it_sends_a_single_part_message_in_few_statements(sessions, modem_id, tmp_path):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        # The webhook endpoints, read once a minute by a running process: not a cost
        # of each send.
        subscriptions.of(session)
    statements: list[str] = []

    def count(_connection, _cursor, statement: str, *_args: object) -> None:
        statements.append(statement)

    with SimulatedModem(tmp_path / "modem") as sim:
        driver = open_driver("at", DriverSettings(device=str(sim.link)))
        driver.connect()
        sender = MessageSender(
            "sim",
            driver,
            sessions,
            stop=threading.Event(),
            pause=lambda _seconds: None,
            pdu_request=PduRequest,
        )
        engine = sessions.kw["bind"]
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert sender.send_one(modem_id)
        finally:
            event.remove(engine, "before_cursor_execute", count)
            driver.close()
        assert len(sim.sent()) == 1
    assert status_of(sessions, message_id) == Status.SENT
    assert len(statements) <= STATEMENTS_PER_SINGLE_PART_SEND, "\n".join(statements)
