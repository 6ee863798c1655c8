"""The STOP list: numbers that asked to receive nothing more.

A number gets on it by an inbound message that says only a STOP keyword
(`smsbox.keyword_replies`), or by a person (`smsbox optout add`). Sending checks it
when the daemon claims a message (`smsbox.sending.claim_next`), so a message queued
before the STOP is held too.
Numbers are E.164, as `smsbox.numbers` makes them; callers normalise.
The list is written on the tables (`smsbox.tables`), on a Session or a Connection
alike, and a number put on it queues its `optout.created` event there, as the ORM's
flush would (`smsbox.webhooks.events`); only the web's and the CLI's listings read
mapped entries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    String,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from smsbox.pages import Cursor
from smsbox.tables import opt_outs, utcnow
from smsbox.webhooks import events
from smsbox.webhooks.event_types import OPTOUT_CREATED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsbox.models import OptOut
    from smsbox.webhooks.events import Executor


@dataclass(frozen=True)
class OptOutEntry:
    """A number on the list, as `opt_out` found or wrote it."""

    id: int
    number: str
    source_message_id: int | None
    source: str
    keyword: str | None
    reason: str | None
    created_at: datetime


_ENTRY = select(
    opt_outs.c.id,
    opt_outs.c.number,
    opt_outs.c.source_message_id,
    opt_outs.c.source,
    opt_outs.c.keyword,
    opt_outs.c.reason,
    opt_outs.c.created_at,
)


def opt_out(
    executor: Executor,
    number: str,
    source_message_id: int | None = None,
    *,
    source: str = "manual",
    keyword: str | None = None,
    reason: str | None = None,
) -> OptOutEntry:
    """Put `number` on the list, once: a second STOP keeps the first one's date and
    message, and forgets a request to come back (`smsbox.keyword_replies`)."""
    existing = executor.execute(_ENTRY.where(opt_outs.c.number == number)).first()
    if existing is not None:
        executor.execute(
            update(opt_outs).where(opt_outs.c.id == existing.id).values(opt_in_requested_at=None)
        )
        return OptOutEntry(*existing)
    written = {
        "number": number,
        "source_message_id": source_message_id,
        "source": source,
        "keyword": keyword,
        "reason": reason,
        "created_at": utcnow(),
    }
    inserted = executor.execute(insert(opt_outs).values(written))
    added = OptOutEntry(id=inserted.inserted_primary_key[0], **written)
    events.queue_events(executor, [(OPTOUT_CREATED, events.optout_data(added))])
    return added


def opt_in(executor: Executor, number: str) -> bool:
    """Take `number` off the list; False when it was not on it."""
    return bool(executor.execute(delete(opt_outs).where(opt_outs.c.number == number)).rowcount)


def is_opted_out(executor: Executor, number: str) -> bool:
    return executor.scalar(select(opt_outs.c.id).where(opt_outs.c.number == number)) is not None


# The whole list exported at once: far beyond any real STOP list.
EXPORT_LIMIT = 1_000_000


@dataclass(frozen=True)
class ListedOptOut:
    entry: OptOut
    # The text of the message that put the number on the list, if one did.
    said: str | None


def optouts_page(
    session: Session, *, older_than: Cursor | None = None, search: str = "", limit: int = 50
) -> list[ListedOptOut]:
    """Newest first, `limit` of them, from the STOP list with what each number said."""
    # Here and in `list_optouts`, not at the top: the daemon keeps the list without the ORM.
    from smsbox.models import Message, OptOut

    query = (
        select(OptOut, Message.body)
        .outerjoin(Message, Message.id == OptOut.source_message_id)
        .order_by(OptOut.created_at.desc(), OptOut.id.desc())
        .limit(limit)
    )
    if search.strip():
        query = query.where(OptOut.number.contains(search.strip(), autoescape=True))
    if older_than is not None:
        query = query.where(
            tuple_(OptOut.created_at, OptOut.id) < (older_than.created_at, older_than.id)
        )
    return [ListedOptOut(entry, said) for entry, said in session.execute(query)]


# Built once: every API send asks it, and building it cost more than the query.
_AMONG = select(opt_outs.c.number).where(
    opt_outs.c.number.in_(bindparam("numbers", expanding=True))
)


def opted_out_among(session: Session, numbers: Collection[str]) -> list[str]:
    """Those of `numbers` on the STOP list, in the order given."""
    found = set(session.scalars(_AMONG, {"numbers": list(numbers)}))
    return [number for number in numbers if number in found]


def list_optouts(session: Session) -> list[OptOut]:
    from smsbox.models import OptOut

    return list(session.scalars(select(OptOut).order_by(OptOut.created_at, OptOut.id)))


class _MinuteText(FunctionElement[str]):
    """A naive UTC time as `YYYY-MM-DD HH:MM`, in SQL."""

    type = String()
    inherit_cache = True


@compiles(_MinuteText)
def _minute_text_sqlite(element: _MinuteText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.strftime("%Y-%m-%d %H:%M", *element.clauses), **kw)


@compiles(_MinuteText, "postgresql")
def _minute_text_postgresql(element: _MinuteText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.to_char(*element.clauses, "YYYY-MM-DD HH24:MI"), **kw)


def blocked_reason() -> ColumnElement[str]:
    """Why a message to an opted-out number was not sent, for the staff who queued it:
    an expression over an `opt_outs` row, so that the claim blocks the message, reason
    and all, in its own statement."""
    when = _MinuteText(opt_outs.c.created_at) + " UTC)"
    return case(
        (
            opt_outs.c.source_message_id.is_(None),
            "the recipient is on the opt-out list (added on " + when,
        ),
        else_="the recipient opted out (STOP on " + when,
    )
