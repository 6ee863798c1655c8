"""Inbound messages: parts are stored first, messages are assembled from them.

The modem side decodes PDUs (python-gammu lives there); this module only keeps
what was read, idempotently, and turns complete sets of parts into messages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.models import Direction, InboundPart, Message, Status, utcnow
from smsbox.numbers import from_network


@dataclass(frozen=True)
class ReceivedPart:
    """One SMS as read from a modem's storage."""

    pdu: str
    sender: str
    concat_ref: int | None = None
    part_number: int = 1
    total_parts: int = 1


def part_key(modem_id: int, pdu: str) -> str:
    return hashlib.sha256(f"{modem_id}:{pdu.upper()}".encode()).hexdigest()


def store_part(session: Session, modem_id: int, part: ReceivedPart) -> InboundPart | None:
    """Keep a part; None when this very PDU was stored before.

    One worker owns a modem and the key includes the modem, so looking first is
    enough; the unique key still stops a duplicate if that ever changed.
    """
    key = part_key(modem_id, part.pdu)
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


def complete_groups(session: Session, modem_id: int) -> list[list[InboundPart]]:
    """Sets of parts not yet turned into a message whose every part has arrived."""
    pending = session.scalars(
        select(InboundPart)
        .where(InboundPart.modem_id == modem_id, InboundPart.message_id.is_(None))
        .order_by(InboundPart.id)
    ).all()
    groups: dict[tuple[object, ...], dict[int, InboundPart]] = defaultdict(dict)
    for part in pending:
        if part.concat_ref is None:
            group = ("single", part.id)
        else:
            group = ("concatenated", part.number, part.concat_ref, part.total_parts)
        groups[group][part.part_number] = part
    return [
        [parts[number] for number in sorted(parts)]
        for parts in groups.values()
        if len(parts) == next(iter(parts.values())).total_parts
    ]


def assemble(
    session: Session,
    parts: list[InboundPart],
    body: str,
    *,
    default_region: str,
    received_at: datetime | None = None,
) -> Message:
    """Create the message that `parts` make up, with the text the modem side decoded."""
    sender = parts[0].number
    message = Message(
        direction=Direction.INBOUND,
        number=from_network(sender, default_region),
        raw_number=sender,
        body=body,
        status=Status.RECEIVED,
        created_at=received_at or utcnow(),
        modem_id=parts[0].modem_id,
    )
    session.add(message)
    session.flush()
    for part in parts:
        part.message_id = message.id
    return message
