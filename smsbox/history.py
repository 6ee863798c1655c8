"""Reading messages back for people: lists for the web page and the CLI."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.models import Direction, Message, Status

PAGE_SIZE = 50
# Past this page every list is empty (it would take 50 million messages); stopping
# here keeps the offset within the database's 64-bit integers, whatever ?page= says.
MAX_PAGE = 1_000_000


def list_messages(
    session: Session, direction: Direction, *, page: int = 1, page_size: int = PAGE_SIZE
) -> list[Message]:
    """Newest first; `page` counts from 1."""
    if page > MAX_PAGE:
        return []
    return list(
        session.scalars(
            select(Message)
            .where(Message.direction == direction)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(page_size)
            .offset((max(page, 1) - 1) * page_size)
        )
    )


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
