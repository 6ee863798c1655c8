"""Forgetting old messages and calls (`[retention]`), a batch at a time.

Each batch is its own short transaction, so that the daemon's workers, which write
between two modem commands, never wait long behind the purge.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from smsbox.config import RetentionConfig
from smsbox.message_actions import delete_with_references
from smsbox.tables import Direction, Status, incoming_calls, messages, utcnow, written

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

BATCH = 1000
# Still to happen: a message on its way is never purged, however old.
UNFINISHED = (Status.SCHEDULED, Status.QUEUED, Status.SENDING)


def _message_batch(session: Session, direction: Direction, before: datetime) -> list[int]:
    # direction and created_at: the order of ix_messages_direction_created.
    return list(
        session.scalars(
            select(messages.c.id)
            .where(
                messages.c.direction == written(direction),
                messages.c.created_at < before,
                messages.c.status.not_in(UNFINISHED),
            )
            .limit(BATCH)
        )
    )


def purge_messages(sessions: sessionmaker[Session], days: int, now: datetime) -> int:
    """Delete the finished messages created more than `days` ago; returns how many."""
    before = now - timedelta(days=days)
    purged = 0
    for direction in Direction:
        while True:
            with sessions() as session:
                ids = _message_batch(session, direction, before)
                if not ids:
                    break
                # The STOP list and the call log outlive the messages they name.
                delete_with_references(session, ids)
                session.commit()
            purged += len(ids)
    return purged


def purge_calls(sessions: sessionmaker[Session], days: int, now: datetime) -> int:
    before = now - timedelta(days=days)
    purged = 0
    while True:
        with sessions() as session:
            ids = list(
                session.scalars(
                    select(incoming_calls.c.id)
                    .where(incoming_calls.c.received_at < before)
                    .limit(BATCH)
                )
            )
            if not ids:
                return purged
            session.execute(delete(incoming_calls).where(incoming_calls.c.id.in_(ids)))
            session.commit()
        purged += len(ids)


def purge(
    sessions: sessionmaker[Session], retention: RetentionConfig, now: datetime | None = None
) -> tuple[int, int]:
    """(messages, calls) deleted as `retention` says; (0, 0) when it keeps everything."""
    now = now or utcnow()
    purged = (
        purge_messages(sessions, retention.messages_days, now) if retention.messages_days else 0
    )
    calls = purge_calls(sessions, retention.calls_days, now) if retention.calls_days else 0
    return purged, calls
