"""Conversations: the messages exchanged with one number, as the staff read them.

A conversation is every message to or from a number. The list reads `conversations`,
one row per number pointing at its newest message (the database keeps it in step
with `messages`), newest first through ix_conversations_last; pages are keyed on
(time of the last message, number), so a deep page costs what the first one does,
and a search reads one row per number, not every message; on SQLite, digits or
letters from the middle of a number are found through a trigram index over the
conversations' numbers (smsbox.trigram_indexes) instead of reading every number.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import phonenumbers
from sqlalchemy import (
    ColumnElement,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from smsbox.contacts.name_search import name_holding
from smsbox.contacts.store import naming
from smsbox.models import UNREAD, Contact, ConversationHead, Direction, Message, utcnow
from smsbox.refusals import Refusal
from smsbox.tables import written
from smsbox.trigram_indexes import TrigramIndex, indexable

CONVERSATIONS_PAGE_SIZE = 30
MESSAGES_PAGE_SIZE = 50
# A search is a name or a number typed by a person, not a document.
MAX_SEARCH_LENGTH = 100
CONVERSATION_NUMBERS = TrigramIndex(
    table="conversations",
    column="number",
    row_key="rowid",
    fts_table="conversation_numbers",
    gin_index="ix_conversations_number_trigrams",
)


class BadCursor(Refusal):
    """A page position that this module did not write (edited or truncated by hand)."""


# What the discussions list draws of a conversation's last message: these columns
# instead of the whole mapped message take a sixth less of the list's statement with 27
# conversations. The number and time are those of the conversation and its cursor.
DRAWN: Sequence[InstrumentedAttribute] = (
    Message.number,
    Message.created_at,
    Message.direction,
    Message.body,
)


@dataclass(frozen=True)
class Conversation:
    number: str
    contact_name: str | None
    # The columns asked for of the last message (DRAWN unless told), by their names.
    last_message: tuple
    unread: int


@dataclass(frozen=True)
class ConversationCursor:
    """Where a page of conversations ends: its last conversation's time and number."""

    last_at: datetime
    number: str

    def __str__(self) -> str:
        return _position(self.last_at, self.number)

    @classmethod
    def parse(cls, text: str) -> ConversationCursor:
        moment, number = _parse_position(text)
        if not number or len(number) > 32:
            raise BadCursor("this page position is not valid")
        return cls(moment, number)


@dataclass(frozen=True)
class MessageCursor:
    """Where a page of one conversation's messages starts: its oldest message."""

    created_at: datetime
    id: int

    @classmethod
    def of(cls, message: Message) -> MessageCursor:
        return cls(message.created_at, message.id)

    def __str__(self) -> str:
        return _position(self.created_at, str(self.id))

    @classmethod
    def parse(cls, text: str) -> MessageCursor:
        moment, message_id = _parse_position(text)
        if not re.fullmatch(r"[0-9]{1,18}", message_id):
            raise BadCursor("this page position is not valid")
        return cls(moment, int(message_id))


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[Conversation]
    # The position of the next (older) page, None on the last one.
    next_cursor: ConversationCursor | None


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]  # oldest first, as read
    # The position of the page of older messages, None when these are the first.
    older_cursor: MessageCursor | None


def list_conversations(
    session: Session,
    *,
    default_region: str,
    search: str = "",
    after: ConversationCursor | None = None,
    page_size: int = CONVERSATIONS_PAGE_SIZE,
    columns: Sequence[InstrumentedAttribute] = DRAWN,
) -> ConversationPage:
    """Conversations newest first (by their last message), those matching `search`
    (part of a number, typed as a person would, or of a contact's name); of each last
    message, `columns` (its number and time among them)."""
    head = ConversationHead
    query = (
        select(*columns, Contact.name, _UNREAD_COUNT)
        .select_from(head)
        .join(Message, Message.id == head.last_message_id)
        .outerjoin(Contact, naming(head.number))
        .order_by(head.last_at.desc(), head.number.desc())
        .limit(page_size + 1)
    )
    if after is not None:
        query = query.where(tuple_(head.last_at, head.number) < (after.last_at, after.number))
    if search.strip():
        query = query.where(_matching(session, search.strip()[:MAX_SEARCH_LENGTH], default_region))
    rows = session.execute(query).all()
    more = len(rows) > page_size
    last_message = _named(tuple(column.key for column in columns))
    conversations = []
    for *message, name, unread in rows[:page_size]:
        last = last_message._make(message)
        conversations.append(Conversation(last.number, name, last, unread))
    last = conversations[-1].last_message if conversations else None
    cursor = ConversationCursor(last.created_at, last.number) if more and last else None
    return ConversationPage(conversations, cursor)


@lru_cache(maxsize=8)  # the page's columns and the API's
def _named(names: tuple[str, ...]) -> type[tuple]:
    """A tuple of these fields: a SQLAlchemy row's attribute costs 0.6 µs to read, some
    ten times a named tuple's, and a page reads a few of each conversation's."""
    return namedtuple("LastMessage", names)


def _matching(session: Session, search: str, default_region: str) -> ColumnElement[bool]:
    number = ConversationHead.number
    named = number.in_(select(Contact.number).where(name_holding(session, search)))
    # Each condition on the number with the piece of text it looks for.
    pieces = []
    digits = "".join(character for character in search if character.isdigit())
    if any(character.isalpha() for character in search):
        # A name ('ORANGE', a sender; 'Salle 2', a contact): its digits alone are no number.
        pieces.append((number.icontains(search, autoescape=True), search))
    elif digits:
        pieces.append((number.contains(digits), digits))
        prefix = _typed_prefix(search, digits, default_region)
        if prefix:
            pieces.append((number.startswith(prefix), prefix))
    if session.bind.dialect.name == "sqlite":
        # Candidates from the index first: the condition then reads those rows only.
        rowid = literal_column("conversations.rowid")
        pieces = [
            (rowid.in_(CONVERSATION_NUMBERS.rows_holding(piece)) & condition, piece)
            if indexable(piece)
            else (condition, piece)
            for condition, piece in pieces
        ]
    return or_(named, *(condition for condition, _ in pieces))


def _typed_prefix(search: str, digits: str, default_region: str) -> str | None:
    """The start of an E.164 number that `search` begins as typed: '+33 6 12', '0033 612'
    or, in the default region, '06 12' (its national prefix '0') all give '+33612'."""
    typed = search.lstrip()
    if typed.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(default_region)
    national_prefix = metadata.national_prefix if metadata else None
    if national_prefix and digits.startswith(national_prefix):
        return f"+{metadata.country_code}{digits[len(national_prefix) :]}"
    return None


def _unread() -> ColumnElement[bool]:
    # Word for word the unread indexes' condition (a bound parameter in its place
    # would keep SQLite from seeing that the index holds every row asked for).
    return text(UNREAD)


# Inbound messages with the conversation's number nobody has read yet, counted in the
# list's own statement for the conversations it returns: a second statement for the
# numbers of the page cost more than the counts. Built once: an alias made at each call
# cost as much again.
_UNREAD = aliased(Message, name="unread")
_UNREAD_COUNT = (
    select(func.count())
    .select_from(_UNREAD)
    .where(_UNREAD.number == ConversationHead.number, _unread())
    .scalar_subquery()
)


def conversation_messages(
    session: Session,
    number: str,
    *,
    before: MessageCursor | None = None,
    page_size: int = MESSAGES_PAGE_SIZE,
) -> MessagePage:
    """The latest messages with `number` (before `before`), in the order they came."""
    query = (
        select(Message)
        .where(Message.number == number)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(page_size + 1)
    )
    if before is not None:
        query = query.where(tuple_(Message.created_at, Message.id) < (before.created_at, before.id))
    newest_first = list(session.scalars(query))
    older = newest_first[page_size - 1] if len(newest_first) > page_size else None
    messages = newest_first[:page_size][::-1]
    return MessagePage(messages, MessageCursor.of(older) if older else None)


def messages_after(
    session: Session, number: str, after_id: int, *, limit: int = MESSAGES_PAGE_SIZE
) -> list[Message]:
    """The first `limit` messages with `number` stored after the message `after_id`,
    oldest first (the rest come with the next call, after the last of these)."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.number == number, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    )


def outbound_between(session: Session, number: str, first_id: int, last_id: int) -> list[Message]:
    """The messages sent to `number` from `first_id` to `last_id`: what a page shows."""
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.number == number,
                Message.direction == written(Direction.OUTBOUND),
                Message.id.between(first_id, last_id),
            )
            .order_by(Message.id)
        )
    )


def contact_name(session: Session, number: str) -> str | None:
    return session.scalar(
        select(Contact.name).where(Contact.number == number).order_by(Contact.id).limit(1)
    )


def has_messages(session: Session, number: str) -> bool:
    return session.scalar(select(exists().where(Message.number == number))) or False


def mark_read(session: Session, number: str, *, up_to_id: int | None = None) -> int:
    """Mark read the unread messages from `number` (those up to `up_to_id`, the last one a
    person was shown); returns how many."""
    query = update(Message).where(_unread(), Message.number == number).values(read_at=utcnow())
    if up_to_id is not None:
        query = query.where(Message.id <= up_to_id)
    return session.execute(query).rowcount


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _position(moment: datetime, key: str) -> str:
    # Microseconds, exact, unlike a float timestamp: a cursor a microsecond off
    # skips or repeats a row.
    return f"{(moment - _EPOCH) // _MICROSECOND}:{key}"


def _parse_position(text: str) -> tuple[datetime, str]:
    micros, _, key = text.partition(":")
    # 17 digits reach the year 5138: within what datetime can hold.
    if not re.fullmatch(r"[0-9]{1,17}", micros):
        raise BadCursor("this page position is not valid")
    return _EPOCH + int(micros) * _MICROSECOND, key
