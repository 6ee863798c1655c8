"""What one send costs the database: no more statements than crash safety needs
(the claim, the part committed as handed over before its PDU is written, the
modem's answer committed after), and one commit a part besides the claim's: the
answer to a part is committed with the handover of the next."""

from __future__ import annotations

from databases import ON_POSTGRESQL
from fake_driver import FakeDriver
from outbox_rows import queue, status_of
from sim_senders import sender_on, sender_through
from sqlalchemy import event

from modem.sim import SimulatedModem
from smsbox.models import Status
from smsbox.webhooks.events import subscriptions

# The claim: one statement takes the message (checking the STOP list and whose turn
# it is among the modems) and returns it, and on PostgreSQL records the modem's last
# claim too, which SQLite cannot do in the same statement; then the part as handed
# over; then the part and the message as sent, the part written by the same statement
# as the next message's part handed over with it.
STATEMENTS_PER_CLAIM = 1 if ON_POSTGRESQL else 2
STATEMENTS_PER_FIRST_HANDOVER = 1
STATEMENTS_PER_ANSWER = 2
STATEMENTS_PER_SINGLE_PART_SEND = (
    STATEMENTS_PER_CLAIM + STATEMENTS_PER_FIRST_HANDOVER + STATEMENTS_PER_ANSWER
)
COMMIT = "COMMIT"


def statements_to_send(sessions, modem_id, tmp_path, count: int, batch: int) -> list[str]:
    """Each statement the sender runs to send `count` queued single-part messages,
    claiming up to `batch` at once, and COMMIT for each commit."""
    queued = queue(sessions, *[f"061111111{n}" for n in range(count)])
    with sessions() as session:
        # The webhook endpoints, read once a minute by a running process: not a cost
        # of each send.
        subscriptions.of(session)
    statements: list[str] = []

    def count_one(_connection, _cursor, statement: str, *_args: object) -> None:
        statements.append(statement)

    def count_commit(_connection) -> None:
        statements.append(COMMIT)

    with SimulatedModem(tmp_path / "modem") as sim:
        sender, driver = sender_on(sim, sessions)
        engine = sessions.kw["bind"]
        event.listen(engine, "before_cursor_execute", count_one)
        event.listen(engine, "commit", count_commit)
        try:
            for _ in queued:
                assert sender.send_one(modem_id, batch=batch)
        finally:
            event.remove(engine, "before_cursor_execute", count_one)
            event.remove(engine, "commit", count_commit)
            driver.close()
        assert len(sim.sent()) == count
    assert {status_of(sessions, message_id) for message_id in queued} == {Status.SENT}
    return statements


def executed(statements: list[str]) -> list[str]:
    return [statement for statement in statements if statement != COMMIT]


def test_it_sends_a_single_part_message_in_few_statements(sessions, modem_id, tmp_path):
    statements = statements_to_send(sessions, modem_id, tmp_path, 1, batch=1)
    assert len(executed(statements)) <= STATEMENTS_PER_SINGLE_PART_SEND, "\n".join(statements)


def test_it_claims_once_for_messages_it_claims_together(sessions, modem_id, tmp_path):
    statements = statements_to_send(sessions, modem_id, tmp_path, 3, batch=3)
    most = STATEMENTS_PER_CLAIM + STATEMENTS_PER_FIRST_HANDOVER + 3 * STATEMENTS_PER_ANSWER
    assert len(executed(statements)) <= most, "\n".join(statements)


def test_it_commits_each_answer_with_the_next_handover(sessions, modem_id, tmp_path):
    statements = statements_to_send(sessions, modem_id, tmp_path, 3, batch=3)
    # The claim's, one a handover, and the last answer's, which no handover follows
    # (two a message before: each answer was committed alone).
    assert statements.count(COMMIT) <= 1 + 3 + 1, "\n".join(statements)


def test_an_idle_sender_reads_whether_anything_waits_instead_of_claiming_again(sessions, modem_id):
    sender = sender_through(FakeDriver(), sessions)
    statements: list[str] = []

    def count_one(_connection, _cursor, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split()))

    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count_one)
    try:
        assert not any(sender.send_one(modem_id) for _ in range(5))
        writes = [s for s in statements if not s.startswith(("SELECT", "BEGIN", "COMMIT"))]
        claims = [s for s in writes if "UPDATE messages" in s or "WITH candidate" in s]
        assert len(claims) == 1, "\n".join(statements)
        (queued,) = queue(sessions, "0611111111")
        assert sender.send_one(modem_id)  # no wake needed: the next look finds it
    finally:
        event.remove(engine, "before_cursor_execute", count_one)
    assert status_of(sessions, queued) == Status.SENT
