"""SQLite prepares each statement the daemon runs once, not at every execution.

SQLite prepares a statement again at each run when a parameter bound in its WHERE
decides whether a partial index applies (it peeks at the value to choose the plan):
`messages.direction = ?` beside the unread indexes' `direction = 'in'` did it to the
claim, whose 3,000 characters took 0.4 ms to prepare each time. SQLite's own
`sqlite_stmt` table counts each cached statement's runs and preparations again."""

from __future__ import annotations

import pytest
from databases import ON_POSTGRESQL
from fake_driver import FakeDriver
from outbox_rows import queue
from sqlalchemy import Connection
from test_worker import CALLER, RANG_AT, connected_worker, sent_reference

from modem.connections import WorkerConnection
from modem.drivers.contract import CallRang, IncomingCall, StatusReport
from modem.pdu_encoding import encode_deliver

pytestmark = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's own statement cache")

NUMBERS = [f"06 12 34 56 {n:02d}" for n in range(40)]


def daemon_traffic(sessions, modem: FakeDriver, worker) -> None:
    """A long queue sent in batches, then replies, a long reply, reports and a call."""
    sent = queue(sessions, *NUMBERS, text="Rendez-vous à 9 h, salle B.")
    for _ in sent:
        worker.step()
    for message_id in sent[:5]:
        reference = sent_reference(sessions, message_id)
        modem.pending_events.append(StatusReport(reference, CALLER, 0x00, RANG_AT))
    modem.deliver(*encode_deliver(CALLER, "Merci !", smsc="+33609001390", sent_at=RANG_AT))
    modem.deliver(
        *encode_deliver(CALLER, "Réponse longue. " * 20, smsc="+33609001390", sent_at=RANG_AT)
    )
    modem.pending_events += [IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 2)]
    worker.step()


def prepared_again(connection: Connection) -> list[tuple[int, int, str]]:
    """The statements SQLite prepared again since their first run: times, runs, text."""
    return connection.exec_driver_sql(
        "SELECT reprep, run, sql FROM sqlite_stmt WHERE reprep > 0"
    ).all()


def test_the_worker_has_sqlite_prepare_each_of_its_statements_once(sessions):
    kept = WorkerConnection(sessions.kw["bind"])
    modem = FakeDriver()
    found: list[tuple[int, int, str]] = []

    def serve() -> None:
        worker = connected_worker(kept, modem)
        daemon_traffic(sessions, modem, worker)
        daemon_traffic(sessions, modem, worker)
        with kept() as connection:
            found.extend(prepared_again(connection))

    kept.serve(serve)

    assert len(modem.texts_on_the_network()) == 2 * len(NUMBERS)
    assert found == [], "\n\n".join(f"{again} of {runs}: {sql}" for again, runs, sql in found)
