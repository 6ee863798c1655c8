"""The call log: incoming calls, one row per call, recorded by the daemon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smsbox.models import IncomingCall
from smsbox.numbers import from_network


def record_call(
    session: Session,
    modem_id: int,
    raw_number: str | None,
    started_at: datetime,
    rings: int,
    *,
    default_region: str,
) -> IncomingCall:
    """A call that started ringing; `raw_number` None when withheld or unknown."""
    call = IncomingCall(
        modem_id=modem_id,
        number=None if raw_number is None else from_network(raw_number, default_region),
        raw_number=raw_number,
        received_at=started_at,
        rings=rings,
    )
    session.add(call)
    session.flush()
    return call


def count_rings(session: Session, modem_id: int, started_at: datetime, rings: int) -> None:
    """The call of `modem_id` that started at `started_at` has rung `rings` times."""
    session.execute(
        update(IncomingCall)
        .where(IncomingCall.modem_id == modem_id, IncomingCall.received_at == started_at)
        .values(rings=rings)
    )


def list_calls(session: Session, limit: int) -> list[IncomingCall]:
    """The latest `limit` calls, newest first."""
    query = select(IncomingCall).order_by(IncomingCall.received_at.desc(), IncomingCall.id.desc())
    return list(session.scalars(query.limit(limit)))
