"""`[retention]`: what the daemon forgets, and what it keeps whatever its age."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from daemon_fixtures import configured, run_daemon_until
from message_rows import message
from sqlalchemy import func, select

from modem.sim import SimulatedModem
from smsbox import retention
from smsbox.config import RetentionConfig
from smsbox.database import make_engine, make_session_factory
from smsbox.models import (
    Direction,
    InboundPart,
    IncomingCall,
    Message,
    MessagePart,
    OptOut,
    Status,
    utcnow,
)
from smsbox.optouts import opt_out

NOW = utcnow()
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=5)
KEEP_30_DAYS = RetentionConfig(messages_days=30, calls_days=30)


def add_traffic(session, modem_id: int) -> dict[str, int]:
    """Old and recent messages of every kind, with what refers to them; their ids."""
    rows = {
        "old sent": message("+33600000001", "vieux", OLD, direction=Direction.OUTBOUND),
        "old failed": message(
            "+33600000002", "raté", OLD, direction=Direction.OUTBOUND, status=Status.FAILED
        ),
        "old received": message("+33600000003", "reçu", OLD),
        "old stop": message("+33600000004", "STOP", OLD),
        "old queued": message(
            "+33600000005", "en file", OLD, direction=Direction.OUTBOUND, status=Status.QUEUED
        ),
        "old scheduled": message(
            "+33600000006", "prévu", OLD, direction=Direction.OUTBOUND, status=Status.SCHEDULED
        ),
        "recent sent": message("+33600000007", "récent", RECENT, direction=Direction.OUTBOUND),
        "recent received": message("+33600000008", "récent", RECENT),
    }
    session.add_all(rows.values())
    session.flush()
    session.add(MessagePart(message_id=rows["old sent"].id, part_number=1, status=Status.SENT))
    session.add(
        InboundPart(
            modem_id=modem_id,
            number="+33600000003",
            pdu="00",
            received_at=OLD,
            message_id=rows["old received"].id,
        )
    )
    opt_out(session, "+33600000004", source_message_id=rows["old stop"].id)
    session.add_all(
        [
            IncomingCall(
                number="+33600000009", received_at=OLD, reply_message_id=rows["old sent"].id
            ),
            IncomingCall(number="+33600000010", received_at=RECENT),
        ]
    )
    session.commit()
    return {name: row.id for name, row in rows.items()}


def remaining(sessions) -> set[int]:
    with sessions() as session:
        return set(session.scalars(select(Message.id)))


def test_it_forgets_finished_messages_and_calls_older_than_the_retention(sessions, modem_id):
    with sessions() as session:
        ids = add_traffic(session, modem_id)

    assert retention.purge(sessions, KEEP_30_DAYS, NOW) == (4, 1)

    kept = {"old queued", "old scheduled", "recent sent", "recent received"}
    assert remaining(sessions) == {ids[name] for name in kept}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessagePart)) == 0
        assert session.scalar(select(func.count()).select_from(InboundPart)) == 0
        stop = session.scalars(select(OptOut)).one()
        assert (stop.number, stop.source_message_id) == ("+33600000004", None)
        assert [call.number for call in session.scalars(select(IncomingCall))] == ["+33600000010"]


def test_it_keeps_everything_when_no_retention_is_set(sessions, modem_id):
    with sessions() as session:
        ids = add_traffic(session, modem_id)
    assert retention.purge(sessions, RetentionConfig(), NOW) == (0, 0)
    assert remaining(sessions) == set(ids.values())


def test_it_purges_in_batches_until_none_is_left(sessions, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)
    with sessions() as session:
        session.add_all(message(f"+336000001{n:02}", "x", OLD) for n in range(10))
        session.commit()
    batches = []
    delete_batch = retention.delete_with_references

    def counted(session, ids):
        batches.append(len(ids))
        delete_batch(session, ids)

    monkeypatch.setattr(retention, "delete_with_references", counted)
    assert retention.purge(sessions, RetentionConfig(messages_days=30), NOW) == (10, 0)
    assert batches == [3, 3, 3, 1]
    assert remaining(sessions) == set()


def test_the_daemon_purges_when_it_starts(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    config = dataclasses.replace(config, retention=RetentionConfig(messages_days=30))
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        session.add_all(
            [message("+33600000001", "vieux", OLD), message("+33600000002", "neuf", RECENT)]
        )
        session.commit()
    try:
        with SimulatedModem(config.modems[0].device):
            run_daemon_until(config, lambda: len(remaining(sessions)) == 1)
        with sessions() as session:
            assert session.scalars(select(Message.body)).all() == ["neuf"]
    finally:
        engine.dispose()
