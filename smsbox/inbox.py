"""Inbound messages: parts are stored first, messages are assembled from them.

The modem side decodes PDUs (python-gammu lives there); this module only keeps
what was read, idempotently, and says which sets of parts are to become messages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smsbox.models import Direction, InboundPart, Message, Status, utcnow
from smsbox.numbers import from_network

# A long message whose missing parts have not come after this long never will.
INCOMPLETE_AFTER = timedelta(hours=24)


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
    session: Session, modem_id: int, part: ReceivedPart, *, storage: str, index: int
) -> InboundPart | None:
    """Keep a part read from slot `index` of `storage`; None when it was read from there
    before and that slot not released since (the delete from the SIM did not happen).

    One worker owns a modem and the key includes the modem, so looking first is
    enough; the unique key still stops a duplicate if that ever changed.
    """
    key = slot_key(modem_id, storage, index, part.pdu)
    if session.scalar(select(InboundPart.id).where(InboundPart.key == key)) is not None:
        return None
    stored = InboundPart(
        key=key,
        modem_id=modem_id,
        number=part.sender,
        concat_ref=part.concat_ref,
        part_number=part.part_number,
        total_parts=part.total_parts,
        pdu=part.pdu.upper(),
    )
    session.add(stored)
    return stored


def release_slot(session: Session, modem_id: int, storage: str, index: int, pdu: str) -> None:
    """The PDU was deleted from that slot: the same octets there next are a new message."""
    session.execute(
        update(InboundPart)
        .where(InboundPart.key == slot_key(modem_id, storage, index, pdu))
        .values(key=None)
    )


def release_emptied_slots(
    session: Session, modem_id: int, held: Iterable[tuple[str, int, str]]
) -> int:
    """Release the slots that no longer hold their PDU: the daemon died between the
    delete from the SIM and `release_slot`. `held` is what the storage holds now, as
    (storage, index, PDU); returns how many were released."""
    still_held = {slot_key(modem_id, storage, index, pdu) for storage, index, pdu in held}
    keyed = session.scalars(
        select(InboundPart.key).where(
            InboundPart.modem_id == modem_id, InboundPart.key.is_not(None)
        )
    ).all()
    emptied = [key for key in keyed if key not in still_held]
    if emptied:
        session.execute(update(InboundPart).where(InboundPart.key.in_(emptied)).values(key=None))
    return len(emptied)


def ready_groups(
    session: Session,
    modem_id: int,
    *,
    incomplete_after: timedelta = INCOMPLETE_AFTER,
    now: datetime | None = None,
) -> list[list[InboundPart]]:
    """Sets of parts not yet in a message that are to make one now.

    A single SMS at once; the parts of a long message when every one has arrived, or
    what arrived of them once the first came `incomplete_after` ago (the rest is
    not coming: the message is stored incomplete, never dropped); and at once too,
    parts that can never make a message (see `_ready`), for the modem side to store
    with the reason it cannot join them.
    """
    waited_since = (now or utcnow()) - incomplete_after
    pending = session.scalars(
        select(InboundPart)
        .where(InboundPart.modem_id == modem_id, InboundPart.message_id.is_(None))
        .order_by(InboundPart.id)
    ).all()
    groups: dict[tuple[object, ...], list[InboundPart]] = defaultdict(list)
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


def _given_up(parts: list[InboundPart], waited_since: datetime) -> list[list[InboundPart]]:
    return [parts] if min(part.received_at for part in parts) <= waited_since else []


def _ready(parts: list[InboundPart]) -> list[list[InboundPart]]:
    """The sets the parts under one sender's reference make now: each complete one in
    part order, or all of them as they are when no set can be told apart."""
    total = parts[0].total_parts
    if any(not 1 <= part.part_number <= total for part in parts):
        return [parts]  # a part numbered 0, or 3 of 2, never completes: don't wait
    by_number: dict[int, list[InboundPart]] = defaultdict(list)
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


def assemble(
    session: Session,
    parts: list[InboundPart],
    body: str,
    *,
    default_region: str,
    received_at: datetime | None = None,
    error: str | None = None,
) -> Message:
    """Create the message that `parts` make up, with the text the modem side decoded;
    `error` says why that text is only what could be recovered."""
    sender = parts[0].number
    message = Message(
        direction=Direction.INBOUND,
        number=from_network(sender, default_region),
        raw_number=sender,
        body=body,
        status=Status.RECEIVED,
        error=error,
        created_at=received_at or utcnow(),
        modem_id=parts[0].modem_id,
    )
    session.add(message)
    session.flush()
    for part in parts:
        part.message_id = message.id
    return message
