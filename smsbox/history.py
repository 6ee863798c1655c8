"""Reading messages back for people: lists for the web page and the CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.message_lists import Cursor, older_than
from smsbox.models import Direction, Message, Status
from smsbox.tables import written

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
    found, _ = find_page(session, direction=direction, status=status, number=number, limit=limit)
    return found


def find_page(
    session: Session,
    *,
    direction: Direction | None = None,
    status: Status | None = None,
    number: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    older_than_cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Message], bool]:
    """A page newest first of the messages matching every filter given (`number` in
    E.164, created from `since` to before `until`), after `older_than_cursor` (by
    keyset, as smsbox.message_lists pages); and whether more follow."""
    query = select(Message).order_by(Message.created_at.desc(), Message.id.desc())
    if direction is not None:
        query = query.where(Message.direction == written(direction))
    if status is not None:
        query = query.where(Message.status == status)
    if number is not None:
        query = query.where(Message.number == number)
    if since is not None:
        query = query.where(Message.created_at >= since)
    if until is not None:
        query = query.where(Message.created_at < until)
    if older_than_cursor is not None:
        query = query.where(older_than(older_than_cursor))
    found = list(session.scalars(query.limit(limit + 1)))
    return found[:limit], len(found) > limit
