"""The staff's message lists: sent, received and unread, page by page, searched and
filtered, fast however many messages the box holds.

Pages are found by keyset, never OFFSET: a cursor is the (created_at, id) of the
last row shown, and the next page starts right after it through the index on
(direction, created_at) (SQLite's indexes end with the row id, so the order is
exact). A deep page costs what the first one does.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, or_, select, text
from sqlalchemy.orm import Session

from smsbox import message_search
from smsbox.contacts.name_search import name_holding
from smsbox.contacts.store import naming
from smsbox.models import UNREAD, Contact, ConversationHead, Direction, Message, Status
from smsbox.numbers import InvalidNumber, to_e164
from smsbox.pages import DEFAULT_PAGE_SIZE, PAGE_SIZES, Cursor, ListRefused
from smsbox.tables import written
from smsbox.trigram_indexes import indexable

MAX_SEARCH_LENGTH = 200
OUTBOUND_STATUSES = (
    Status.SCHEDULED,
    Status.QUEUED,
    Status.SENDING,
    Status.SENT,
    Status.DELIVERED,
    Status.FAILED,
    Status.EXPIRED,
    Status.BLOCKED,
    Status.INTERRUPTED,
    Status.CANCELLED,
)
_LIKE_SPECIALS = re.compile(r"([\\%_])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A search matching more messages than this finds its page among the newest by
# reading the list in order (a common word soon fills one); fewer are fetched by id.
SEARCH_CANDIDATES = 2000
# A search whose candidates are more than this many a row of its page reads as many
# rows of the list in order before it asks the index for all of them: a word in one
# row of 8 or more fills its page there.
SEARCH_SCAN_PER_ROW = 8


# The rows a page's statement gives: a message and its contact's name.
_Found = list[tuple[Message, str | None]]


class Box(enum.StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    UNREAD = "unread"


class Toward(enum.StrEnum):
    OLDER = "older"
    NEWER = "newer"


@dataclass(frozen=True)
class ListQuery:
    box: Box
    page_size: int = DEFAULT_PAGE_SIZE
    search: str = ""
    status: Status | None = None
    since: date | None = None
    until: date | None = None
    cursor: Cursor | None = None
    toward: Toward = Toward.OLDER


@dataclass(frozen=True)
class Row:
    message: Message
    contact_name: str | None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    newer: Cursor | None
    older: Cursor | None


def parse_page_size(text: str | None) -> int:
    if not text:
        return DEFAULT_PAGE_SIZE
    if text not in {str(size) for size in PAGE_SIZES}:
        raise ListRefused(
            "%(size)s rows per page is not offered: choose 10, 25, 50 or 100", size=text[:20]
        )
    return int(text)


def parse_day(text: str | None) -> date | None:
    """A day as a date field sends it (YYYY-MM-DD), or None when left empty."""
    if not text:
        return None
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ListRefused(
        "“%(day)s” is not a date: write it as YYYY-MM-DD, such as 2024-01-31", day=text[:40]
    )


def parse_status(box: Box, text: str | None) -> Status | None:
    if not text:
        return None
    if box is not Box.SENT or text not in {str(status) for status in OUTBOUND_STATUSES}:
        raise ListRefused("“%(status)s” is no state of these messages", status=text[:40])
    return Status(text)


def list_page(session: Session, query: ListQuery, *, timezone: str, default_region: str) -> Page:
    """One page of `query.box`, newest first, with the contact's name when known."""
    if query.page_size not in PAGE_SIZES:
        raise ListRefused(
            "%(size)s rows per page is not offered: choose 10, 25, 50 or 100",
            size=query.page_size,
        )
    found = _found(session, query, timezone, default_region)
    more = len(found) > query.page_size
    found = found[: query.page_size]
    backwards = query.toward is Toward.NEWER
    if backwards:
        found.reverse()
    rows = [Row(message, name) for message, name in found]
    if not rows:
        return Page(rows, None, None)
    # The side we came from has rows (those we left); the side we go to has them if
    # one more than the page was found.
    if backwards:
        has_newer, has_older = more, True
    else:
        has_newer, has_older = query.cursor is not None, more
    return Page(
        rows,
        Cursor.of(rows[0].message) if has_newer else None,
        Cursor.of(rows[-1].message) if has_older else None,
    )


def _found(session: Session, query: ListQuery, timezone: str, default_region: str) -> _Found:
    """The page's rows in the order read from the cursor, one more than the page when
    there are more."""
    search = query.search.strip()
    by_number = _whole_number(search, default_region) if search else None
    # A whole number's messages are read through the number index, a search's
    # candidates by id. SQLite, without statistics, weighs the number index equal to
    # the direction one, and which it takes would depend on the order a migration
    # happened to create them in: the direction is then compared in a way no index
    # serves.
    listed = _listed(query, timezone, aside=by_number is not None)
    if by_number:
        return _read(session, query, [*listed, Message.number == by_number])
    if not search:
        return _read(session, query, listed)
    condition = _matching_condition(search)
    part = _digits_of(search)
    first = SEARCH_SCAN_PER_ROW * (query.page_size + 1)
    candidates = _candidates(session, search, part, limit=first)
    if candidates is None:
        # Many (a common word): its page is among the list's first rows, where reading
        # them costs the same at a thousand messages as at a million, and the index
        # would read its 2,000 candidates to learn that they are too many.
        found = _among_the_first(session, query, listed, condition, first)
        if found is not None:
            return found
        candidates = _candidates(session, search, part, limit=SEARCH_CANDIDATES)
    if candidates is None:
        return _read(session, query, [*listed, condition])
    # The candidates are more than the matches (the index folds every letter's case):
    # the condition still says which match.
    by_id = [*_listed(query, timezone, aside=True), Message.id.in_(candidates), condition]
    return _read(session, query, by_id)


def _read(session: Session, query: ListQuery, conditions: list[object]) -> _Found:
    statement = (
        select(Message, Contact.name).outerjoin(Contact, naming(Message.number)).where(*conditions)
    )
    if query.cursor is not None:
        statement = statement.where(_beyond(query.cursor, query.toward))
    ordered = _in_list_order(statement, query).limit(query.page_size + 1)
    return [(message, name) for message, name in session.execute(ordered)]


def _in_list_order(statement: Select[Any], query: ListQuery) -> Select[Any]:
    if query.toward is Toward.NEWER:
        return statement.order_by(Message.created_at, Message.id)
    return statement.order_by(*_newest_first())


def _among_the_first(
    session: Session, query: ListQuery, listed: list[object], condition: object, first: int
) -> _Found | None:
    """The page a search finds among the `first` rows of the list from the cursor,
    read in order, when they hold it whole; None when they do not, or the list is
    shorter."""
    following = select(Message.created_at).where(*listed)
    if query.cursor is not None:
        following = following.where(_beyond(query.cursor, query.toward))
    # The time of the row past the first ones, read once: those up to it are the rows
    # before it in the list, and the few more of that same time.
    end = _in_list_order(following, query).offset(first).limit(1)
    end_at = end.correlate(None).scalar_subquery()
    within = (
        Message.created_at <= end_at
        if query.toward is Toward.NEWER
        else Message.created_at >= end_at
    )
    found = _read(session, query, [*listed, condition, within])
    return found if len(found) > query.page_size else None


def older_than(cursor: Cursor):  # type: ignore[no-untyped-def]
    """The condition of the rows after `cursor` in a list newest first."""
    return _beyond(cursor, Toward.OLDER)


def _newest_first() -> tuple[object, ...]:
    return (Message.created_at.desc(), Message.id.desc())


def _beyond(cursor: Cursor, toward: Toward):  # type: ignore[no-untyped-def]
    # Written as a range on created_at plus a tie-break on id, not a row value, so
    # that both SQLite and PostgreSQL seek the index to the cursor.
    if toward is Toward.OLDER:
        return and_(
            Message.created_at <= cursor.created_at,
            or_(Message.created_at < cursor.created_at, Message.id < cursor.id),
        )
    return and_(
        Message.created_at >= cursor.created_at,
        or_(Message.created_at > cursor.created_at, Message.id > cursor.id),
    )


def _listed(query: ListQuery, timezone: str, *, aside: bool) -> list[object]:
    """The conditions of the box, state and days: the list before any search. `aside`
    when the search reads its rows through another index than the list's."""
    conditions: list[object] = []
    direction = Message.direction.concat("") if aside else Message.direction
    if query.box is Box.SENT:
        conditions.append(direction == written(Direction.OUTBOUND))
    elif query.box is Box.RECEIVED:
        conditions.append(direction == written(Direction.INBOUND))
    elif aside:
        conditions.append(and_(direction == written(Direction.INBOUND), Message.read_at.is_(None)))
    else:
        conditions.append(text(UNREAD))
    if query.status is not None:
        conditions.append(Message.status == query.status)
    zone = ZoneInfo(timezone)
    if query.since is not None and query.until is not None and query.since > query.until:
        raise ListRefused("the first day comes after the last one")
    if query.since is not None:
        conditions.append(Message.created_at >= _start_of(query.since, zone))
    if query.until is not None:
        conditions.append(Message.created_at < _start_of(query.until + timedelta(days=1), zone))
    return conditions


def _whole_number(search: str, default_region: str) -> str | None:
    """The number `search` is, in E.164, when it is one."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise ListRefused("the search is longer than %(limit)d characters", limit=MAX_SEARCH_LENGTH)
    try:
        return to_e164(search, default_region)
    except InvalidNumber:
        return None


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of `day` in the box's time zone, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _matching_condition(search: str) -> ColumnElement[bool]:
    """What the search box finds when it is no whole phone number (those go through
    the number index): messages whose number holds the digits typed, or whose
    contact's name or text holds it, ignoring case.
    The search is text, never a pattern: LIKE's wildcards in it are escaped."""
    escaped = _LIKE_SPECIALS.sub(r"\\\1", search)
    pattern = f"%{escaped}%"
    found = [Message.body.ilike(pattern, escape="\\"), Contact.name.ilike(pattern, escape="\\")]
    part = _digits_of(search)
    if part:
        found.append(Message.number.contains(part))
    return or_(*found)


def _digits_of(search: str) -> str:
    """The digits a search for part of a number looks for in the E.164 form stored
    (a national prefix typed, as in "06 12", is not in "+33612..."); "" for text."""
    digits = re.sub(r"[\s.()-]", "", search)
    return digits.lstrip("+").removeprefix("0") if digits.lstrip("+").isdigit() else ""


def _candidates(session: Session, search: str, part: str, *, limit: int) -> list[int] | None:
    """The ids of every message the search may find, when they are no more than
    `limit`: those whose text holds it (through the trigram index), those of the
    numbers of the contacts it names (through their names' index) and of the numbers
    holding the digits typed (one row per number in `conversations`). None when they
    are more, or the search too short for the index."""
    if not indexable(search):
        return None
    found = set(message_search.ids_holding(session, search, limit=limit + 1))
    numbers = [select(Contact.number).where(name_holding(session, search))]
    if part:
        numbers.append(
            select(ConversationHead.number).where(ConversationHead.number.contains(part))
        )
    for chosen in numbers:
        room = limit - len(found)
        if room < 0:
            return None
        of_numbers = select(Message.id).where(Message.number.in_(chosen)).limit(room + 1)
        ids = list(session.scalars(of_numbers))
        if len(ids) > room:
            return None
        found.update(ids)
    return sorted(found)
