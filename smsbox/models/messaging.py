"""Messages, their parts, modems and calls: what the daemon moves and records."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smsbox.models.base import Base, UTCDateTime, partial_index, utcnow


class Direction(enum.StrEnum):
    OUTBOUND = "out"
    INBOUND = "in"


class Status(enum.StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    EXPIRED = "expired"
    BLOCKED = "blocked"
    INTERRUPTED = "interrupted"
    # A scheduled message someone called off before its time: kept, never sent.
    CANCELLED = "cancelled"
    RECEIVED = "received"


class Modem(Base):
    __tablename__ = "modems"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(32), default="unknown")
    last_error: Mapped[str | None] = mapped_column(Text)
    signal_quality: Mapped[int | None]
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the modem last said of itself (smsbox.modems.record_status); None where it
    # does not say.
    registration: Mapped[str | None] = mapped_column(String(16))
    operator: Mapped[str | None] = mapped_column(String(64))
    storage_used: Mapped[int | None]
    storage_total: Mapped[int | None]
    imei: Mapped[str | None] = mapped_column(String(20))
    imsi: Mapped[str | None] = mapped_column(String(20))
    iccid: Mapped[str | None] = mapped_column(String(20))
    own_number: Mapped[str | None] = mapped_column(String(40))
    status_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A PIN the SIM refused, hashed: never sent again, each wrong try brings the
    # SIM closer to asking for its PUK. A person changing `pin` clears the block.
    rejected_pin_hash: Mapped[str | None] = mapped_column(String(64))
    # Its [[modem]] role and rate_limit as the daemon last read them: the other
    # workers route by them, staff see them.
    role: Mapped[str] = mapped_column(String(8), default="both", server_default="both")
    rate_limit: Mapped[int | None]
    # Ties between idle modems go to the one that took a message longest ago.
    last_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # At its rate limit until then: the other modems do not leave it work meanwhile.
    rate_limited_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModemLease(Base):
    """Which daemon serves the modem of this name, until when (smsbox.leases): one
    daemon at a time, whatever host it runs on."""

    __tablename__ = "modem_leases"

    # By name, not modem id: a standby daemon must see the lease before it writes to the
    # modem's row.
    modem_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Host name, process id and a random token: a restarted daemon is another owner.
    owner: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# A received message nobody has read, as the partial index of the unread list states
# it; queries use this very text so that the database sees the index applies (a
# bound parameter in place of 'in' would hide that from SQLite's planner).
UNREAD = "direction = 'in' AND read_at IS NULL"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_scheduled", "status", "scheduled_at"),
        # The claim (smsbox.sending): the oldest queued message, walked in id order
        # from the first queued rather than past every message already sent; and each
        # modem's messages in flight, counted for routing's turn.
        Index("ix_messages_status_id", "status", "id"),
        Index("ix_messages_status_modem", "status", "modem_id"),
        Index("ix_messages_number_created", "number", "created_at"),
        Index("ix_messages_direction_created", "direction", "created_at"),
        # The lists' pages (smsbox.message_lists): one state of one direction, and
        # the unread, each newest first, seeking straight to a page's cursor.
        Index("ix_messages_direction_status_created", "direction", "status", "created_at"),
        # Its first two columns are constant inside it: they are there so that the
        # planner, weighing it against the one above, sees it matches more terms.
        partial_index(
            "ix_messages_unread",
            "direction",
            "read_at",
            "created_at",
            where=UNREAD,
        ),
        # The conversations' unread counts (smsbox.conversations) read only the unread
        # of one number; `direction` and `read_at` too, constant inside it, so that
        # SQLite without statistics sees it match more terms than the one above.
        # The caps (smsbox.quotas): one user's messages of a period, counted from
        # this index alone; one modem's sent in a period.
        Index("ix_messages_user_created", "created_by_id", "created_at", "status"),
        Index("ix_messages_modem_sent", "modem_id", "sent_at"),
        # A campaign's counts per state, and its cancelling.
        Index("ix_messages_campaign_status", "campaign_id", "status"),
        partial_index(
            "ix_messages_unread_numbers",
            "number",
            "direction",
            "read_at",
            where=UNREAD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(32))
    raw_number: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A retry after a modem's temporary refusal waits until then.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modem_id: Mapped[int | None] = mapped_column(ForeignKey("modems.id"))
    # Asked for by whoever queued it (`smsbox send --modem`): no other modem sends it.
    requested_modem_id: Mapped[int | None] = mapped_column(ForeignKey("modems.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The kind of keyword (`smsbox.keywords.Kind`) this automatic reply answers; the
    # answers to a number's own STOP or START go to it even while it is opted out.
    keyword_reply: Mapped[str | None] = mapped_column(String(16))
    # A commercial message (false) goes out only within the sending hours
    # (`smsbox.sending_window`); a reply, a code or a reminder at any hour.
    transactional: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Given by the API client that queued it, handed back with the message (and, once
    # webhooks exist, in each of its events): the client's own reference.
    callback_data: Mapped[str | None] = mapped_column(Text)
    # The campaign (smsbox.campaigns) that queued it, if one did.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))

    modem: Mapped[Modem | None] = relationship(foreign_keys=[modem_id])
    requested_modem: Mapped[Modem | None] = relationship(foreign_keys=[requested_modem_id])
    parts: Mapped[list[MessagePart]] = relationship(
        back_populates="message", order_by="MessagePart.part_number", cascade="all, delete-orphan"
    )


class ConversationHead(Base):
    """The newest message with each number: one row per conversation.

    Kept by triggers on `messages` (smsbox.conversation_triggers), whatever writes the
    messages, so that the conversations list and its search read one row per number
    instead of every message.
    """

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_last", "last_at", "number"),)

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No foreign key: the triggers replace the row when its message goes.
    last_message_id: Mapped[int]


class UnreadTotal(Base):
    """How many received messages nobody has read: one row (id 1), none at zero.

    Kept by triggers on `messages` (smsbox.unread_triggers), so that the dashboard
    reads one number instead of counting every unread message.
    """

    __tablename__ = "unread_total"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int]


class HourlyTraffic(Base):
    """How many messages of one direction and state were stored in one hour (UTC),
    counted by `hour` (hours since 1970).

    Kept by triggers on `messages` (smsbox.traffic_triggers), so that the dashboard
    reads a few hundred counters instead of a month of messages. A message counts in
    the hour of its created_at (queued or received), under its state of now.

    A count is the sum of its shards: on PostgreSQL each connection counts in its own,
    so that concurrent changes do not wait for each other (smsbox.traffic_triggers).
    A shard's total may be negative (a message counted in one, uncounted in another).

    On SQLite the counts live in the key's own B-tree (no rowid, revision 0033): the
    dashboard reads a month of them through the key without a lookup in the table.
    """

    __tablename__ = "hourly_traffic"
    __table_args__ = ({"sqlite_with_rowid": False},)

    hour: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    direction: Mapped[Direction] = mapped_column(String(3), primary_key=True)
    status: Mapped[Status] = mapped_column(String(16), primary_key=True)
    shard: Mapped[int] = mapped_column(
        SmallInteger, primary_key=True, autoincrement=False, server_default=text("0")
    )
    total: Mapped[int]


class BulkInsert(Base):
    """A row here, while a transaction holds it, turns the insert triggers of
    `conversations` and `hourly_traffic` off for that transaction's inserts
    (smsbox.bulk_inserts): it inserts many messages, then updates both tables once.
    Written and deleted inside the transaction, never seen by another one, and gone
    with it if it fails or the process dies."""

    __tablename__ = "bulk_inserts"

    id: Mapped[int] = mapped_column(primary_key=True)


class MessagePart(Base):
    """One SMS on the air: outbound parts carry the TP-MR that delivery reports quote.

    Parts are encoded once, before the first is sent, so that a resumed message
    keeps its concatenation reference. Status: queued (not handed to the modem),
    sending (handed over, answer awaited), sent, failed, or interrupted (handed
    over, no answer ever came: it may have reached the network).
    """

    __tablename__ = "message_parts"
    __table_args__ = (
        UniqueConstraint("message_id", "part_number"),
        # Delivery reports find their part by TP-MR.
        Index("ix_message_parts_reference", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    part_number: Mapped[int]
    reference: Mapped[int | None]
    status: Mapped[Status] = mapped_column(String(16))
    pdu: Mapped[str | None] = mapped_column(Text)
    # Submissions the modem answered or took; a lost port before the PDU went out is not one.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship(back_populates="parts")


class InboundPart(Base):
    """A PDU read off a SIM, kept until its message is complete (and after, as read).

    The key names the storage slot the PDU was read from, until it is deleted from
    there (then NULL, which never collides): a daemon that dies between the commit and
    the delete reads the same slot again and stores nothing new, while the same octets
    arriving again (the same text from the same sender in the same second) are a new
    message.
    """

    __tablename__ = "inbound_parts"
    __table_args__ = (
        # Assembly reads only the parts still waiting for their message: an index of
        # those alone stays small however many messages a modem ever received.
        partial_index(
            "ix_inbound_parts_pending",
            "modem_id",
            "id",
            where="message_id IS NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    modem_id: Mapped[int] = mapped_column(ForeignKey("modems.id"))
    number: Mapped[str] = mapped_column(String(64))
    concat_ref: Mapped[int | None]
    part_number: Mapped[int] = mapped_column(default=1)
    total_parts: Mapped[int] = mapped_column(default=1)
    pdu: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class IncomingCall(Base):
    __tablename__ = "incoming_calls"
    # The calls page, newest first, page by page (smsbox.calls.calls_page).
    __table_args__ = (Index("ix_incoming_calls_received", "received_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32))
    raw_number: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modem_id: Mapped[int | None] = mapped_column(ForeignKey("modems.id"))
    # Rings heard so far: a call is recorded at its first ring, updated at each next one.
    rings: Mapped[int] = mapped_column(default=1, server_default="1")
    # A daemon that restarts mid-call hears the rest of its rings: by this it knows
    # them for the call it recorded before, not a new one.
    last_ring_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hung_up: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The automatic SMS this call brought its caller ([calls] auto_reply).
    reply_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class ModemError(Base):
    """A fault the daemon recorded for a modem (smsbox.modems.record_state): the same
    fault again straight after counts on the same row. Only the latest are kept."""

    __tablename__ = "modem_errors"
    __table_args__ = (Index("ix_modem_errors_modem", "modem_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    modem_id: Mapped[int] = mapped_column(ForeignKey("modems.id", ondelete="CASCADE"))
    error: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    times: Mapped[int] = mapped_column(default=1, server_default="1")
