"""Messages written straight into the database for the list tests and the benchmark."""

from __future__ import annotations

from datetime import datetime

from smsbox.models import Direction, Message, Status


def message(
    number: str,
    body: str,
    created_at: datetime,
    *,
    direction: Direction = Direction.INBOUND,
    status: Status | None = None,
    read_at: datetime | None = None,
) -> Message:
    if status is None:
        status = Status.RECEIVED if direction is Direction.INBOUND else Status.SENT
    return Message(
        direction=direction,
        number=number,
        raw_number=number,
        body=body,
        status=status,
        created_at=created_at,
        read_at=read_at,
    )
