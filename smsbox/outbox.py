"""Outbound messages: queueing by staff, claiming and recording by the daemon.

Each function commits nothing itself except where it says so: the caller owns
the transaction, so a view or a daemon step commits exactly once per change.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smsbox.models import Direction, Message, MessagePart, Status, utcnow
from smsbox.numbers import to_e164

MAX_SEND_ATTEMPTS = 3
# 1,600 characters, even all emoji in UCS-2, stay under the 50 parts python-gammu
# (and most phones) will join; it is also the common limit of SMS gateways.
MAX_BODY_LENGTH = 1600
# C0 controls and DEL, save the line breaks and tab people type: a phone shows
# none of them, and a NUL reaches the network as an empty message.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MessageRejected(ValueError):
    """A message that cannot be queued; the text says why, for the person who typed it."""


def _check_body(body: str) -> None:
    """What every way in (web page, CLI, later the API) refuses, with the reason."""
    control = _CONTROL_CHARACTER.search(body)
    if control:
        raise MessageRejected(
            f"the message contains a control character (U+{ord(control.group()):04X}) "
            "that phones cannot show"
        )
    if not body.strip():
        raise MessageRejected("the message is empty")
    if len(body) > MAX_BODY_LENGTH:
        raise MessageRejected(f"the message is longer than {MAX_BODY_LENGTH} characters")


def queue_message(
    session: Session,
    raw_number: str,
    body: str,
    *,
    default_region: str,
    scheduled_at: datetime | None = None,
    created_by_id: int | None = None,
) -> Message:
    _check_body(body)
    number = to_e164(raw_number, default_region)
    message = Message(
        direction=Direction.OUTBOUND,
        number=number,
        raw_number=raw_number.strip(),
        body=body,
        status=Status.SCHEDULED if scheduled_at else Status.QUEUED,
        scheduled_at=scheduled_at,
        created_by_id=created_by_id,
    )
    session.add(message)
    session.flush()
    return message


def release_due_scheduled(session: Session, now: datetime | None = None) -> int:
    """Move scheduled messages whose time has come to the queue; returns how many."""
    result = session.execute(
        update(Message)
        .where(Message.status == Status.SCHEDULED, Message.scheduled_at <= (now or utcnow()))
        .values(status=Status.QUEUED)
    )
    return result.rowcount


def claim_next(session: Session, modem_id: int) -> Message | None:
    """Atomically take the oldest queued message for this modem, or None; commits the
    claim, so that a crash from here on leaves the message `sending`, then `interrupted`.

    The conditional UPDATE is the lock: of two workers racing for the same row,
    only one sees a row count of 1.
    """
    while True:
        candidate = session.scalar(
            select(Message.id)
            .where(Message.direction == Direction.OUTBOUND, Message.status == Status.QUEUED)
            .order_by(Message.id)
            .limit(1)
        )
        if candidate is None:
            return None
        claimed = session.execute(
            update(Message)
            .where(Message.id == candidate, Message.status == Status.QUEUED)
            .values(status=Status.SENDING, modem_id=modem_id, attempts=Message.attempts + 1)
        ).rowcount
        if claimed:
            session.commit()
            return session.get(Message, candidate, populate_existing=True)


def record_part_sent(session: Session, message: Message, part_number: int, reference: int) -> None:
    session.add(
        MessagePart(
            message_id=message.id,
            part_number=part_number,
            reference=reference,
            status=Status.SENT,
            sent_at=utcnow(),
        )
    )


def record_sent(session: Session, message: Message) -> None:
    message.status = Status.SENT
    message.sent_at = utcnow()
    message.error = None


def record_failure(session: Session, message: Message, error: str, *, permanent: bool) -> None:
    """A send that did not complete.

    It goes back to the queue only when a retry can help and nothing reached the
    network yet: resending after a part went out would duplicate that part.
    """
    parts_sent = session.scalar(
        select(MessagePart.id).where(MessagePart.message_id == message.id).limit(1)
    )
    message.error = error
    if permanent or parts_sent is not None or message.attempts >= MAX_SEND_ATTEMPTS:
        message.status = Status.FAILED
    else:
        message.status = Status.QUEUED


def interrupt_unfinished(session: Session, modem_id: int) -> int:
    """Mark what a dead daemon left mid-submit; a person decides whether to resend."""
    return session.execute(
        update(Message)
        .where(Message.modem_id == modem_id, Message.status == Status.SENDING)
        .values(status=Status.INTERRUPTED, error="the daemon stopped while sending")
    ).rowcount
