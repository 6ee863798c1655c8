"""Inbound messages: parts are stored first, messages are assembled from them.

The modem side decodes PDUs (python-gammu lives there); this module only keeps
what was read, idempotently, and says which sets of parts are to become messages.
Written on the tables (`smsbox.tables`), on a Session or a Connection alike: the
daemon's receiver needs no ORM. Parts are read as rows, a message is given back as
what was written (`ReceivedMessage`), and its `message.received` event is queued here,
in the transaction that stores it, as the ORM's flush would (`smsbox.webhooks.events`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row, insert, select, update

from smsbox.numbers import from_network
from smsbox.tables import Direction, Status, inbound_parts, messages, utcnow
from smsbox.webhooks import events
from smsbox.webhooks.event_types import MESSAGE_RECEIVED

if TYPE_CHECKING:
    from smsbox.webhooks.events import Executor

# A long message whose missing parts have not come after this long never will.
INCOMPLETE_AFTER = timedelta(hours=24)
# A part not yet in a message, as assembly reads it.
PendingPart = Row[Any]
_PENDING = select(
    inbound_parts.c.id,
    inbound_parts.c.modem_id,
    inbound_parts.c.number,
    inbound_parts.c.concat_ref,
    inbound_parts.c.part_number,
    inbound_parts.c.total_parts,
    inbound_parts.c.pdu,
    inbound_parts.c.received_at,
)


class ReceivedPart(Protocol):
    """One SMS as read from a modem's storage (the modem side decodes it)."""

    @property
    def pdu(self) -> str: ...
    @property
    def sender(self) -> str: ...
    @property
    def concat_ref(self) -> int | None: ...
    @property
    def part_number(self) -> int: ...
    @property
    def total_parts(self) -> int: ...


def slot_key(modem_id: int, storage: str, index: int, pdu: str) -> str:
    """Names a PDU in one slot of a modem's storage, until it is deleted from there."""
    return hashlib.sha256(f"{modem_id}:{storage}:{index}:{pdu.upper()}".encode()).hexdigest()


def store_part(
    executor: Executor, modem_id: int, part: ReceivedPart, *, storage: str, index: int
) -> int | None:
    """Keep a part read from slot `index` of `storage`, and say its id; None when it was
    read from there before and that slot not released since (the delete from the SIM
    did not happen).

    One worker owns a modem and the key includes the modem, so looking first is
    enough; the unique key still stops a duplicate if that ever changed.
    """
    key = slot_key(modem_id, storage, index, part.pdu)
    if executor.scalar(select(inbound_parts.c.id).where(inbound_parts.c.key == key)) is not None:
        return None
    stored = executor.execute(
        insert(inbound_parts).values(
            key=key,
            modem_id=modem_id,
            number=part.sender,
            concat_ref=part.concat_ref,
            part_number=part.part_number,
            total_parts=part.total_parts,
            pdu=part.pdu.upper(),
        )
    )
    return stored.inserted_primary_key[0]


def release_slot(executor: Executor, modem_id: int, storage: str, index: int, pdu: str) -> None:
    """The PDU was deleted from that slot: the same octets there next are a new message."""
    executor.execute(
        update(inbound_parts)
        .where(inbound_parts.c.key == slot_key(modem_id, storage, index, pdu))
        .values(key=None)
    )


def release_emptied_slots(
    executor: Executor, modem_id: int, held: Iterable[tuple[str, int, str]]
) -> int:
    """Release the slots that no longer hold their PDU: the daemon died between the
    delete from the SIM and `release_slot`. `held` is what the storage holds now, as
    (storage, index, PDU); returns how many were released."""
    still_held = {slot_key(modem_id, storage, index, pdu) for storage, index, pdu in held}
    keyed = executor.scalars(
        select(inbound_parts.c.key).where(
            inbound_parts.c.modem_id == modem_id, inbound_parts.c.key.is_not(None)
        )
    ).all()
    emptied = [key for key in keyed if key not in still_held]
    if emptied:
        executor.execute(
            update(inbound_parts).where(inbound_parts.c.key.in_(emptied)).values(key=None)
        )
    return len(emptied)


def ready_groups(
    executor: Executor,
    modem_id: int,
    *,
    incomplete_after: timedelta = INCOMPLETE_AFTER,
    now: datetime | None = None,
) -> list[list[PendingPart]]:
    """Sets of parts not yet in a message that are to make one now.

    A single SMS at once; the parts of a long message when every one has arrived, or
    what arrived of them once the first came `incomplete_after` ago (the rest is
    not coming: the message is stored incomplete, never dropped); and at once too,
    parts that can never make a message (see `_ready`), for the modem side to store
    with the reason it cannot join them.
    """
    waited_since = (now or utcnow()) - incomplete_after
    pending = executor.execute(
        _PENDING.where(
            inbound_parts.c.modem_id == modem_id, inbound_parts.c.message_id.is_(None)
        ).order_by(inbound_parts.c.id)
    ).all()
    groups: dict[tuple[object, ...], list[PendingPart]] = defaultdict(list)
    for part in pending:
        if part.concat_ref is None:
            group = ("single", part.id)
        else:
            group = ("concatenated", part.number, part.concat_ref, part.total_parts)
        groups[group].append(part)
    return [
        ready
        for parts in groups.values()
        for ready in (_ready(parts) or _given_up(parts, waited_since))
    ]


def _given_up(parts: list[PendingPart], waited_since: datetime) -> list[list[PendingPart]]:
    return [parts] if min(part.received_at for part in parts) <= waited_since else []


def _ready(parts: list[PendingPart]) -> list[list[PendingPart]]:
    """The sets the parts under one sender's reference make now: each complete one in
    part order, or all of them as they are when no set can be told apart."""
    total = parts[0].total_parts
    if any(not 1 <= part.part_number <= total for part in parts):
        return [parts]  # a part numbered 0, or 3 of 2, never completes: don't wait
    by_number: dict[int, list[PendingPart]] = defaultdict(list)
    for part in parts:
        by_number[part.part_number].append(part)
    if len(by_number) < total:
        return []
    if any(len({part.pdu for part in same}) > 1 for same in by_number.values()):
        return [parts]  # two different parts claim one place: no way to tell which belongs
    # The same parts again (a phone or the network sending it twice) are a message again;
    # a repeat of only some parts waits for the rest of its own.
    in_order = (by_number[number] for number in range(1, total + 1))
    return [list(message) for message in zip(*in_order, strict=False)]


@dataclass(frozen=True)
class ReceivedMessage:
    """An inbound message as `assemble` wrote it: what its event and its keyword read."""

    id: int
    number: str
    raw_number: str
    body: str
    error: str | None
    created_at: datetime
    modem_id: int
    direction: str = Direction.INBOUND
    status: str = Status.RECEIVED
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    callback_data: str | None = None


def assemble(
    executor: Executor,
    parts: list[PendingPart],
    body: str,
    *,
    default_region: str,
    received_at: datetime | None = None,
    error: str | None = None,
) -> ReceivedMessage:
    """Create the message that `parts` make up, with the text the modem side decoded;
    `error` says why that text is only what could be recovered. Its event is queued
    with it."""
    sender = parts[0].number
    written = {
        "number": from_network(sender, default_region),
        "raw_number": sender,
        "body": body,
        "error": error,
        "created_at": received_at or utcnow(),
        "modem_id": parts[0].modem_id,
    }
    inserted = executor.execute(
        insert(messages).values(direction=Direction.INBOUND, status=Status.RECEIVED, **written)
    )
    message = ReceivedMessage(id=inserted.inserted_primary_key[0], **written)
    executor.execute(
        update(inbound_parts)
        .where(inbound_parts.c.id.in_([part.id for part in parts]))
        .values(message_id=message.id)
    )
    events.queue_events(executor, [(MESSAGE_RECEIVED, events.message_data(message))])
    return message
