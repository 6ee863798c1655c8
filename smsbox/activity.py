"""The activity log: logins, sends, deletions, STOP list and settings changes, who
made them and when, for admins to look back on (`smsbox activity`, the admin page).

Entries are written in the transaction of what they record, so an entry exists
exactly when the change does. They are written and read on the Core table
(`smsbox.tables.activity`): the daemon logs what it does without the ORM.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, insert, or_, select, tuple_

from smsbox.activity_actions import Action
from smsbox.pages import Cursor
from smsbox.tables import activity

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_PAGE = 100


@dataclass(frozen=True)
class Actor:
    """Who acts: a person logged in, or a way in without one ("cli", "sms")."""

    name: str
    user_id: int | None = None


COMMAND_LINE = Actor("cli")
BY_SMS = Actor("sms")


def record(
    session: Session,
    action: Action,
    actor: Actor,
    subject: str | None = None,
    **details: object,
) -> None:
    """The entry inserted now, in the transaction of what it records. The actor's user
    must exist in the database already (a Core statement does not flush the session)."""
    session.execute(_INSERT, values(action, actor, subject, **details))


def values(
    action: Action, actor: Actor, subject: str | None = None, **details: object
) -> dict[str, object]:
    """The row of an entry, for `record_at_once`."""
    return {
        "actor": actor.name[:80],
        "user_id": actor.user_id,
        "action": action,
        "subject": None if subject is None else subject[:200],
        "details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
    }


def record_at_once(session: Session, rows: list[dict[str, object]]) -> None:
    """Entries (their `values`) inserted now, in the order given, by one Core statement
    (an executemany for several) rather than at the next flush: for a hot path (an API
    send) whose other writes are Core statements too, so that no flush of the ORM's
    unit of work is left for the commit, and a request's entries cost one round trip.
    The actors' users must exist in the database already. On the session's connection:
    the session's execute() adds the ORM's handling to a statement that needs none."""
    session.connection().execute(_INSERT, rows)


_INSERT = insert(activity)


def entries(
    session: Session,
    *,
    action: Action | None = None,
    search: str = "",
    older_than: Cursor | None = None,
    limit: int = 50,
) -> list[Row[Any]]:
    """Newest first; `search` in who or what (a name, a number)."""
    query = select(activity).order_by(activity.c.at.desc(), activity.c.id.desc())
    if action is not None:
        query = query.where(activity.c.action == action)
    if search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern += "%"
        query = query.where(
            or_(
                activity.c.actor.like(pattern, escape="\\"),
                activity.c.subject.like(pattern, escape="\\"),
            )
        )
    if older_than is not None:
        query = query.where(
            tuple_(activity.c.at, activity.c.id) < (older_than.created_at, older_than.id)
        )
    return list(session.execute(query.limit(min(limit, MAX_PAGE))))


def details_of(entry: Row[Any]) -> dict[str, object]:
    return {} if entry.details is None else json.loads(entry.details)
