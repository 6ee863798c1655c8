"""The activity log: logins, sends, deletions, STOP list and settings changes, who
made them and when, for admins to look back on (`smsbox activity`, the admin page).

Entries are written in the transaction of what they record, so an entry exists
exactly when the change does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, or_, select, tuple_
from sqlalchemy.orm import Session

from smsbox.activity_actions import Action
from smsbox.models import ActivityEntry
from smsbox.pages import Cursor

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
) -> ActivityEntry:
    entry = ActivityEntry(**values(action, actor, subject, **details))
    session.add(entry)
    return entry


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


_INSERT = insert(ActivityEntry.__table__)


def entries(
    session: Session,
    *,
    action: Action | None = None,
    search: str = "",
    older_than: Cursor | None = None,
    limit: int = 50,
) -> list[ActivityEntry]:
    """Newest first; `search` in who or what (a name, a number)."""
    query = select(ActivityEntry).order_by(ActivityEntry.at.desc(), ActivityEntry.id.desc())
    if action is not None:
        query = query.where(ActivityEntry.action == action)
    if search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern += "%"
        query = query.where(
            or_(
                ActivityEntry.actor.like(pattern, escape="\\"),
                ActivityEntry.subject.like(pattern, escape="\\"),
            )
        )
    if older_than is not None:
        query = query.where(
            tuple_(ActivityEntry.at, ActivityEntry.id) < (older_than.created_at, older_than.id)
        )
    return list(session.scalars(query.limit(min(limit, MAX_PAGE))))


def details_of(entry: ActivityEntry) -> dict[str, object]:
    return {} if entry.details is None else json.loads(entry.details)
