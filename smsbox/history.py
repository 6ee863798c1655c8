"""Reading messages back for people: lists for the web page and the CLI."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.models import Direction, Message, Status

PAGE_SIZE = 50


def find_messages(
    session: Session,
    *,
    direction: Direction | None = None,
    status: Status | None = None,
    number: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[Message]:
    """Newest first, those matching every filter given (`number` in E.164)."""
    query = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    if direction is not None:
        query = query.where(Message.direction == direction)
    if status is not None:
        query = query.where(Message.status == status)
    if number is not None:
        query = query.where(Message.number == number)
    return list(session.scalars(query))
