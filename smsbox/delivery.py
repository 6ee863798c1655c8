"""Delivery reports: the network's word on each part, then on the message.

A report names the part by the TP-MR the modem gave at submission. TP-MR wraps
at 256, so it is matched to the most recent part of that modem with that
reference and recipient. A message is delivered when all its parts are; it has
failed (or expired) as soon as one part did, since the recipient cannot read
it whole.

Written on the tables (`smsbox.tables`), on a Session or a Connection alike: the
message's event is queued here, as the ORM's flush would (`smsbox.webhooks.events`).
A Session's caller reads again the parts and messages it holds.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from smsbox.daemon_metrics import observe_delivered
from smsbox.numbers import from_network
from smsbox.tables import Status, message_parts, messages
from smsbox.webhooks import events

if TYPE_CHECKING:
    from smsbox.webhooks.events import Executor

REPORTED_STATES = (Status.DELIVERED, Status.FAILED, Status.EXPIRED)

_REPORTED_PART = (
    select(message_parts.c.id, message_parts.c.status, message_parts.c.message_id)
    .join(messages)
    .where(
        messages.c.modem_id == bindparam("modem_id"),
        messages.c.number == bindparam("number"),
        message_parts.c.reference == bindparam("reference"),
    )
    .order_by(message_parts.c.sent_at.desc(), message_parts.c.id.desc())
    .limit(1)
)
# What the message's event tells (`events.message_data`).
_MESSAGE = select(
    messages.c.id,
    messages.c.direction,
    messages.c.number,
    messages.c.body,
    messages.c.status,
    messages.c.error,
    messages.c.created_at,
    messages.c.sent_at,
    messages.c.delivered_at,
    messages.c.callback_data,
).where(messages.c.id == bindparam("message_id"))
_PARTS = (
    select(
        message_parts.c.part_number,
        message_parts.c.status,
        message_parts.c.error,
        message_parts.c.delivered_at,
    )
    .where(message_parts.c.message_id == bindparam("message_id"))
    .order_by(message_parts.c.part_number)
)


def record_report(
    executor: Executor,
    modem_id: int,
    reference: int,
    recipient: str,
    outcome: Status,
    at: datetime,
    *,
    default_region: str,
    detail: str = "",
) -> int | None:
    """Apply a report; the id of the part it is about, or None when no part matches."""
    if outcome not in REPORTED_STATES:
        raise ValueError(f"a delivery report cannot make a part {outcome}")
    number = from_network(recipient, default_region)
    part = executor.execute(
        _REPORTED_PART, {"modem_id": modem_id, "number": number, "reference": reference}
    ).first()
    if part is None or part.status != Status.SENT:
        return None  # unknown, or a second report for the same part
    if outcome == Status.DELIVERED:
        reported = {"status": outcome, "delivered_at": at}
    else:
        error = f"the network reports it {outcome} at {at:%Y-%m-%d %H:%M} UTC {detail}".strip()
        reported = {"status": outcome, "error": error}
    executor.execute(update(message_parts).where(message_parts.c.id == part.id).values(reported))
    _settle_delivery(executor, part.message_id)
    return part.id


def _settle_delivery(executor: Executor, message_id: int) -> None:
    message = executor.execute(_MESSAGE, {"message_id": message_id}).one()
    # An interrupted message keeps waiting for a person; its parts still say
    # what the network reported.
    if message.status != Status.SENT:
        return
    parts = executor.execute(_PARTS, {"message_id": message_id}).all()
    given_up = [part for part in parts if part.status in (Status.FAILED, Status.EXPIRED)]
    if given_up:
        first = given_up[0]
        where = f"part {first.part_number} of {len(parts)}: " if len(parts) > 1 else ""
        settled = {"status": first.status, "error": where + (first.error or "")}
    elif all(part.status == Status.DELIVERED for part in parts):
        delivered_at = max(part.delivered_at for part in parts if part.delivered_at)
        settled = {"status": Status.DELIVERED, "delivered_at": delivered_at}
    else:
        return
    executor.execute(update(messages).where(messages.c.id == message_id).values(settled))
    now = SimpleNamespace(**{**message._asdict(), **settled})
    events.queue_events(executor, [(events.OUTBOUND_EVENTS[now.status], events.message_data(now))])
    if now.status == Status.DELIVERED:
        observe_delivered(now)
