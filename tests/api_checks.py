"""What the HTTP API's tests check and build: a problem document, the messages queued,
the activity log, a stored message with its parts."""

from __future__ import annotations

from datetime import UTC, datetime

from message_rows import message
from sqlalchemy import select

from smsbox.models import (
    ActivityEntry,
    Direction,
    Message,
    MessagePart,
    Status,
)

PROBLEM = "application/problem+json"


def stored_message(
    number: str = "+33612345678",
    body: str = "x",
    created_at: datetime | None = None,
    *,
    direction: Direction = Direction.OUTBOUND,
    status: Status | None = None,
    parts: tuple[Status, ...] = (),
) -> Message:
    row = message(number, body, created_at or datetime.now(UTC), direction=direction, status=status)
    row.parts = [
        MessagePart(part_number=number, status=state, pdu="00", attempts=1)
        for number, state in enumerate(parts, start=1)
    ]
    return row


def queued(sessions) -> list[Message]:
    with sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def logged_but(sessions, action: str, *columns) -> list[tuple]:
    """`columns` of the activity entries of every other action, oldest first."""
    with sessions() as session:
        query = select(*columns).where(ActivityEntry.action != action)
        return [tuple(row) for row in session.execute(query.order_by(ActivityEntry.id))]


def assert_problem(answer, status: int, kind: str, field: str | None = None) -> dict:
    assert answer.status == status, answer.raw
    assert answer.media_type == PROBLEM
    document = answer.json
    assert document["type"] == f"/api/v1/docs#problem-{kind}"
    assert document["status"] == status
    assert document["title"] and document["detail"]
    assert document.get("field") == field
    return document
