"""Outbound messages: queueing by staff (the daemon's side is `smsbox.sending`).

Each function commits nothing itself except where it says so: the caller owns
the transaction, so a view or a daemon step commits exactly once per change.
Written on the tables (`smsbox.tables`) save `queue_message`, which gives the web and
the CLI a mapped message: the daemon's automatic replies (`queue_reply`) and the
scheduled messages it releases need no ORM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import exists, insert, literal_column, select, update

from smsbox.message_settings import message_settings
from smsbox.numbers import to_e164
from smsbox.refusals import Refusal
from smsbox.tables import Direction, Status, messages, opt_outs, utcnow
from smsbox.webhooks.events import connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsbox.models import Message
    from smsbox.webhooks.events import Executor

# 1,600 characters, even all emoji in UCS-2, stay under the 50 parts python-gammu
# (and most phones) will join; it is also the common limit of SMS gateways.
MAX_BODY_LENGTH = 1600
# C0 controls and DEL, save the line breaks and tab people type: a phone shows
# none of them, and a NUL reaches the network as an empty message.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MessageRejected(Refusal):
    """A message that cannot be queued; the text says why, for the person who typed it."""


class EmptyMessage(MessageRejected):
    pass


class MessageTooLong(MessageRejected):
    pass


def check_body(body: str) -> None:
    """What every way in (web page, CLI, later the API) refuses, with the reason."""
    control = _CONTROL_CHARACTER.search(body)
    if control:
        code = f"U+{ord(control.group()):04X}"
        raise MessageRejected(
            "the message contains a control character (%(code)s) that phones cannot show",
            code=code,
        )
    if not body.strip():
        raise EmptyMessage("the message is empty")
    if len(body) > MAX_BODY_LENGTH:
        raise MessageTooLong(
            "the message is longer than %(limit)d characters", limit=MAX_BODY_LENGTH
        )


def queue_message(
    session: Session,
    raw_number: str,
    body: str,
    *,
    default_region: str,
    scheduled_at: datetime | None = None,
    created_by_id: int | None = None,
    requested_modem_id: int | None = None,
    transactional: bool = True,
    callback_data: str | None = None,
    signed: bool = True,
) -> Message:
    """Queue `body` (with the account's signature unless `signed` is False: automatic
    replies go without); MessageRejected, InvalidNumber when it cannot go."""
    # Here, not at the top: the daemon queues its replies without the ORM (`queue_reply`).
    from smsbox.models import Message

    text = checked_signed(session, body) if signed else body
    if not signed:
        check_body(text)
    number = to_e164(raw_number, default_region)
    message = Message(
        direction=Direction.OUTBOUND,
        number=number,
        raw_number=raw_number.strip(),
        body=text,
        status=Status.SCHEDULED if scheduled_at else Status.QUEUED,
        scheduled_at=scheduled_at,
        created_by_id=created_by_id,
        requested_modem_id=requested_modem_id,
        transactional=transactional,
        callback_data=callback_data,
    )
    session.add(message)
    session.flush()
    return message


@dataclass(frozen=True, slots=True)
class Queued:
    """A message just queued, for the answer to whoever queued it: its row's values (a
    plain object, which costs a tenth of a detached `Message`), and whether its number
    is on the STOP list (the daemon will block it). What a modem fills in is empty."""

    id: int
    number: str
    raw_number: str
    body: str
    status: Status
    created_at: datetime
    scheduled_at: datetime | None
    callback_data: str | None
    opted_out: bool
    # The kind of keyword this automatic reply answers (`smsbox.keyword_replies`).
    keyword_reply: str | None = None
    direction: Direction = Direction.OUTBOUND
    error: None = None
    sent_at: None = None
    delivered_at: None = None


_MESSAGES = messages
# The STOP list read by the INSERT that queues, one round trip where two were made. The
# inserted row's number is named in SQL: SQLAlchemy would not correlate the subquery of
# a RETURNING with the INSERT's table, and would add a second `messages` to its FROM.
_ON_STOP_LIST = exists().where(
    opt_outs.c.number == literal_column(f"{_MESSAGES.name}.{_MESSAGES.c.number.name}")
)
# Built once: compiling it was a good part of a request to the API.
_QUEUE = insert(_MESSAGES).returning(_MESSAGES.c.id, _ON_STOP_LIST, sort_by_parameter_order=True)


def queue_messages(
    executor: Executor,
    recipients: list[tuple[str, str]],
    text: str,
    *,
    scheduled_at: datetime | None = None,
    created_by_id: int | None = None,
    requested_modem_id: int | None = None,
    transactional: bool = True,
    callback_data: str | None = None,
    keyword_reply: str | None = None,
) -> list[Queued]:
    """Queue `text`, checked and signed already (`checked_signed`), to each of
    `recipients` (as typed, E.164) in one INSERT: the API's hot path, where the ORM's
    unit of work cost more than the insert itself. Queued messages are no webhook
    event, so nothing is lost by passing the flush by. The messages returned are
    values of the rows, for the answer, each with whether its number is on the STOP
    list."""
    now = utcnow()
    rows = [
        {
            "direction": Direction.OUTBOUND,
            "number": number,
            "raw_number": raw_number.strip(),
            "body": text,
            "status": Status.SCHEDULED if scheduled_at else Status.QUEUED,
            "attempts": 0,
            "created_at": now,
            "scheduled_at": scheduled_at,
            "created_by_id": created_by_id,
            "requested_modem_id": requested_modem_id,
            "transactional": transactional,
            "callback_data": callback_data,
            "keyword_reply": keyword_reply,
        }
        for raw_number, number in recipients
    ]
    # On the session's connection: the session's execute() adds the ORM's handling.
    inserted = connection_of(executor).execute(_QUEUE, rows).all()
    return [
        Queued(
            id_,
            row["number"],
            row["raw_number"],
            text,
            row["status"],
            now,
            scheduled_at,
            callback_data,
            bool(opted_out),
            keyword_reply,
        )
        for (id_, opted_out), row in zip(inserted, rows, strict=True)
    ]


def queue_reply(
    executor: Executor,
    raw_number: str,
    text: str,
    *,
    default_region: str,
    keyword_reply: str | None = None,
) -> Queued:
    """Queue the daemon's automatic reply `text` (unsigned) to `raw_number`, answering
    `keyword_reply` if a keyword; MessageRejected, InvalidNumber when it cannot go."""
    check_body(text)
    number = to_e164(raw_number, default_region)
    (queued,) = queue_messages(executor, [(raw_number, number)], text, keyword_reply=keyword_reply)
    return queued


def checked_signed(session: Session, body: str) -> str:
    """`body` with the account's signature, each checked (MessageRejected): the text
    for being empty, the whole for its length."""
    check_body(body)
    text = signed_text(session, body)
    check_body(text)
    return text


def signed_text(session: Session, body: str) -> str:
    """`body` as staff, the API and campaigns send it: with the account's signature."""
    return message_settings(session).signed(body)


def release_due_scheduled(executor: Executor, now: datetime | None = None) -> int:
    """Move scheduled messages whose time has come to the queue; returns how many."""
    due = (messages.c.status == Status.SCHEDULED, messages.c.scheduled_at <= (now or utcnow()))
    # Looked for first: the daemon asks every second, nothing is due most of them, and a
    # read takes no write lock from the web pages.
    if executor.scalar(select(messages.c.id).where(*due).limit(1)) is None:
        return 0
    return executor.execute(update(messages).where(*due).values(status=Status.QUEUED)).rowcount
