"""Delivery reports: the network's word on each part, then on the message.

A report names the part by the TP-MR the modem gave at submission. TP-MR wraps
at 256, so it is matched to the most recent part of that modem with that
reference and recipient. A message is delivered when all its parts are; it has
failed (or expired) as soon as one part did, since the recipient cannot read
it whole.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.daemon_metrics import observe_delivered
from smsbox.models import Message, MessagePart, Status
from smsbox.numbers import from_network

REPORTED_STATES = (Status.DELIVERED, Status.FAILED, Status.EXPIRED)


def record_report(
    session: Session,
    modem_id: int,
    reference: int,
    recipient: str,
    outcome: Status,
    at: datetime,
    *,
    default_region: str,
    detail: str = "",
) -> MessagePart | None:
    """Apply a report; the part it is about, or None when no part matches."""
    if outcome not in REPORTED_STATES:
        raise ValueError(f"a delivery report cannot make a part {outcome}")
    part = session.scalar(
        select(MessagePart)
        .join(Message)
        .where(
            Message.modem_id == modem_id,
            Message.number == from_network(recipient, default_region),
            MessagePart.reference == reference,
        )
        .order_by(MessagePart.sent_at.desc(), MessagePart.id.desc())
        .limit(1)
    )
    if part is None or part.status != Status.SENT:
        return None  # unknown, or a second report for the same part
    part.status = outcome
    if outcome == Status.DELIVERED:
        part.delivered_at = at
    else:
        part.error = f"the network reports it {outcome} at {at:%Y-%m-%d %H:%M} UTC {detail}".strip()
    _settle_delivery(part.message)
    return part


def _settle_delivery(message: Message) -> None:
    # An interrupted message keeps waiting for a person; its parts still say
    # what the network reported.
    if message.status != Status.SENT:
        return
    parts = message.parts
    given_up = [part for part in parts if part.status in (Status.FAILED, Status.EXPIRED)]
    if given_up:
        first = given_up[0]
        message.status = first.status
        where = f"part {first.part_number} of {len(parts)}: " if len(parts) > 1 else ""
        message.error = where + (first.error or "")
    elif all(part.status == Status.DELIVERED for part in parts):
        message.status = Status.DELIVERED
        message.delivered_at = max(part.delivered_at for part in parts if part.delivered_at)
        observe_delivered(message)
