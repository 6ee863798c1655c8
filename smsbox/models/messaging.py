"""Messages, their parts, modems and calls (smsbox.tables.messaging)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, relationship

from smsbox import tables
from smsbox.models.base import Base
from smsbox.tables import UNREAD, Direction, Status

__all__ = ["UNREAD", "Direction", "Status"]


class Modem(Base):
    __table__ = tables.modems

    id: Mapped[int]
    name: Mapped[str]
    device: Mapped[str]
    state: Mapped[str]
    last_error: Mapped[str | None]
    signal_quality: Mapped[int | None]
    last_seen_at: Mapped[datetime | None]
    registration: Mapped[str | None]
    operator: Mapped[str | None]
    storage_used: Mapped[int | None]
    storage_total: Mapped[int | None]
    imei: Mapped[str | None]
    imsi: Mapped[str | None]
    iccid: Mapped[str | None]
    own_number: Mapped[str | None]
    status_checked_at: Mapped[datetime | None]
    rejected_pin_hash: Mapped[str | None]
    role: Mapped[str]
    rate_limit: Mapped[int | None]
    last_claimed_at: Mapped[datetime | None]
    rate_limited_until: Mapped[datetime | None]


class ModemLease(Base):
    __table__ = tables.modem_leases

    modem_name: Mapped[str]
    owner: Mapped[str]
    host: Mapped[str]
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Message(Base):
    __table__ = tables.messages

    id: Mapped[int]
    direction: Mapped[Direction]
    number: Mapped[str]
    raw_number: Mapped[str]
    body: Mapped[str]
    status: Mapped[Status]
    error: Mapped[str | None]
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    scheduled_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    modem_id: Mapped[int | None]
    requested_modem_id: Mapped[int | None]
    created_by_id: Mapped[int | None]
    keyword_reply: Mapped[str | None]
    transactional: Mapped[bool]
    callback_data: Mapped[str | None]
    campaign_id: Mapped[int | None]

    modem: Mapped[Modem | None] = relationship(foreign_keys=[tables.messages.c.modem_id])
    requested_modem: Mapped[Modem | None] = relationship(
        foreign_keys=[tables.messages.c.requested_modem_id]
    )
    parts: Mapped[list[MessagePart]] = relationship(
        back_populates="message", order_by="MessagePart.part_number", cascade="all, delete-orphan"
    )


class ConversationHead(Base):
    __table__ = tables.conversations

    number: Mapped[str]
    last_at: Mapped[datetime]
    last_message_id: Mapped[int]


class UnreadTotal(Base):
    __table__ = tables.unread_total

    id: Mapped[int]
    total: Mapped[int]


class HourlyTraffic(Base):
    __table__ = tables.hourly_traffic

    hour: Mapped[int]
    direction: Mapped[Direction]
    status: Mapped[Status]
    shard: Mapped[int]
    total: Mapped[int]


class BulkInsert(Base):
    __table__ = tables.bulk_inserts

    id: Mapped[int]


class MessagePart(Base):
    __table__ = tables.message_parts

    id: Mapped[int]
    message_id: Mapped[int]
    part_number: Mapped[int]
    reference: Mapped[int | None]
    status: Mapped[Status]
    pdu: Mapped[str | None]
    attempts: Mapped[int]
    error: Mapped[str | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    message: Mapped[Message] = relationship(back_populates="parts")


class InboundPart(Base):
    __table__ = tables.inbound_parts

    id: Mapped[int]
    key: Mapped[str | None]
    modem_id: Mapped[int]
    number: Mapped[str]
    concat_ref: Mapped[int | None]
    part_number: Mapped[int]
    total_parts: Mapped[int]
    pdu: Mapped[str]
    received_at: Mapped[datetime]
    message_id: Mapped[int | None]


class IncomingCall(Base):
    __table__ = tables.incoming_calls

    id: Mapped[int]
    number: Mapped[str | None]
    raw_number: Mapped[str | None]
    received_at: Mapped[datetime]
    modem_id: Mapped[int | None]
    rings: Mapped[int]
    last_ring_at: Mapped[datetime | None]
    hung_up: Mapped[bool]
    reply_message_id: Mapped[int | None]


class ModemError(Base):
    __table__ = tables.modem_errors

    id: Mapped[int]
    modem_id: Mapped[int]
    error: Mapped[str]
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    times: Mapped[int]
