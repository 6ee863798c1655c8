"""Messages, their parts, modems and calls: what the daemon moves and records."""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

from smsbox.tables.columns import UTCDateTime, metadata, partial_index, utcnow


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


modems = Table(
    "modems",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("device", String(255), nullable=False),
    Column("state", String(32), nullable=False, default="unknown"),
    Column("last_error", Text),
    Column("signal_quality", Integer),
    Column("last_seen_at", UTCDateTime),
    # What the modem last said of itself (smsbox.modems.record_status); None where it
    # does not say.
    Column("registration", String(16)),
    Column("operator", String(64)),
    Column("storage_used", Integer),
    Column("storage_total", Integer),
    Column("imei", String(20)),
    Column("imsi", String(20)),
    Column("iccid", String(20)),
    Column("own_number", String(40)),
    Column("status_checked_at", UTCDateTime),
    # A PIN the SIM refused, hashed: never sent again, each wrong try brings the
    # SIM closer to asking for its PUK. A person changing `pin` clears the block.
    Column("rejected_pin_hash", String(64)),
    # Its [[modem]] role and rate_limit as the daemon last read them: the other
    # workers route by them, staff see them.
    Column("role", String(8), nullable=False, default="both", server_default="both"),
    Column("rate_limit", Integer),
    # Ties between idle modems go to the one that took a message longest ago.
    Column("last_claimed_at", UTCDateTime),
    # At its rate limit until then: the other modems do not leave it work meanwhile.
    Column("rate_limited_until", UTCDateTime),
)

# Which daemon serves the modem of this name, until when (smsbox.leases): one daemon
# at a time, whatever host it runs on.
modem_leases = Table(
    "modem_leases",
    metadata,
    # By name, not modem id: a standby daemon must see the lease before it writes to
    # the modem's row.
    Column("modem_name", String(64), primary_key=True),
    # Host name, process id and a random token: a restarted daemon is another owner.
    Column("owner", String(255), nullable=False),
    Column("host", String(255), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# A received message nobody has read, as the partial index of the unread list states
# it; queries use this very text so that the database sees the index applies (a
# bound parameter in place of 'in' would hide that from SQLite's planner).
UNREAD = "direction = 'in' AND read_at IS NULL"

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("direction", String(3), nullable=False),
    Column("number", String(32), nullable=False),
    Column("raw_number", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("scheduled_at", UTCDateTime),
    # A retry after a modem's temporary refusal waits until then.
    Column("next_attempt_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("read_at", UTCDateTime),
    Column("modem_id", Integer, ForeignKey("modems.id")),
    # Asked for by whoever queued it (`smsbox send --modem`): no other modem sends it.
    Column("requested_modem_id", Integer, ForeignKey("modems.id")),
    Column("created_by_id", Integer, ForeignKey("users.id")),
    # The kind of keyword (`smsbox.keywords.Kind`) this automatic reply answers; the
    # answers to a number's own STOP or START go to it even while it is opted out.
    Column("keyword_reply", String(16)),
    # A commercial message (false) goes out only within the sending hours
    # (`smsbox.sending_window`); a reply, a code or a reminder at any hour.
    Column("transactional", Boolean, nullable=False, default=True, server_default=true()),
    # Given by the API client that queued it, handed back with the message (and, once
    # webhooks exist, in each of its events): the client's own reference.
    Column("callback_data", Text),
    # The campaign (smsbox.campaigns) that queued it, if one did.
    Column("campaign_id", Integer, ForeignKey("campaigns.id")),
    Index("ix_messages_status_scheduled", "status", "scheduled_at"),
    # The claim (smsbox.sending): the oldest queued message, walked in id order from
    # the first queued rather than past every message already sent; and each modem's
    # messages in flight, counted for routing's turn.
    Index("ix_messages_status_id", "status", "id"),
    Index("ix_messages_status_modem", "status", "modem_id"),
    Index("ix_messages_number_created", "number", "created_at"),
    Index("ix_messages_direction_created", "direction", "created_at"),
    # The lists' pages (smsbox.message_lists): one state of one direction, and the
    # unread, each newest first, seeking straight to a page's cursor.
    Index("ix_messages_direction_status_created", "direction", "status", "created_at"),
    # Its first two columns are constant inside it: they are there so that the
    # planner, weighing it against the one above, sees it matches more terms.
    partial_index("ix_messages_unread", "direction", "read_at", "created_at", where=UNREAD),
    # The conversations' unread counts (smsbox.conversations) read only the unread of
    # one number; `direction` and `read_at` too, constant inside it, so that SQLite
    # without statistics sees it match more terms than the one above.
    # The caps (smsbox.quotas): one user's messages of a period, counted from this
    # index alone; one modem's sent in a period.
    Index("ix_messages_user_created", "created_by_id", "created_at", "status"),
    Index("ix_messages_modem_sent", "modem_id", "sent_at"),
    # A campaign's counts per state, and its cancelling.
    Index("ix_messages_campaign_status", "campaign_id", "status"),
    partial_index("ix_messages_unread_numbers", "number", "direction", "read_at", where=UNREAD),
)

# The newest message with each number: one row per conversation.
#
# Kept by triggers on `messages` (smsbox.conversation_triggers), whatever writes the
# messages, so that the conversations list and its search read one row per number
# instead of every message.
conversations = Table(
    "conversations",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("last_at", UTCDateTime, nullable=False),
    # No foreign key: the triggers replace the row when its message goes.
    Column("last_message_id", Integer, nullable=False),
    Index("ix_conversations_last", "last_at", "number"),
)

# How many received messages nobody has read: one row (id 1), none at zero.
#
# Kept by triggers on `messages` (smsbox.unread_triggers), so that the dashboard reads
# one number instead of counting every unread message.
unread_total = Table(
    "unread_total",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("total", Integer, nullable=False),
)

# How many messages of one direction and state were stored in one hour (UTC), counted
# by `hour` (hours since 1970).
#
# Kept by triggers on `messages` (smsbox.traffic_triggers), so that the dashboard reads
# a few hundred counters instead of a month of messages. A message counts in the hour
# of its created_at (queued or received), under its state of now.
#
# A count is the sum of its shards: on PostgreSQL each connection counts in its own, so
# that concurrent changes do not wait for each other (smsbox.traffic_triggers). A
# shard's total may be negative (a message counted in one, uncounted in another).
#
# On SQLite the counts live in the key's own B-tree (no rowid, revision 0033): the
# dashboard reads a month of them through the key without a lookup in the table.
hourly_traffic = Table(
    "hourly_traffic",
    metadata,
    Column("hour", Integer, primary_key=True, autoincrement=False),
    Column("direction", String(3), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("shard", SmallInteger, primary_key=True, autoincrement=False, server_default=text("0")),
    Column("total", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# A row here, while a transaction holds it, turns the insert triggers of
# `conversations` and `hourly_traffic` off for that transaction's inserts
# (smsbox.bulk_inserts): it inserts many messages, then updates both tables once.
# Written and deleted inside the transaction, never seen by another one, and gone with
# it if it fails or the process dies.
bulk_inserts = Table(
    "bulk_inserts",
    metadata,
    Column("id", Integer, primary_key=True),
)

# One SMS on the air: outbound parts carry the TP-MR that delivery reports quote.
#
# Parts are encoded once, before the first is sent, so that a resumed message keeps
# its concatenation reference. Status: queued (not handed to the modem), sending
# (handed over, answer awaited), sent, failed, or interrupted (handed over, no answer
# ever came: it may have reached the network).
message_parts = Table(
    "message_parts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("part_number", Integer, nullable=False),
    Column("reference", Integer),
    Column("status", String(16), nullable=False),
    Column("pdu", Text),
    # Submissions the modem answered or took; a lost port before the PDU went out is
    # not one.
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("error", Text),
    Column("sent_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    UniqueConstraint("message_id", "part_number"),
    # Delivery reports find their part by TP-MR.
    Index("ix_message_parts_reference", "reference"),
)

# A PDU read off a SIM, kept until its message is complete (and after, as read).
#
# The key names the storage slot the PDU was read from, until it is deleted from there
# (then NULL, which never collides): a daemon that dies between the commit and the
# delete reads the same slot again and stores nothing new, while the same octets
# arriving again (the same text from the same sender in the same second) are a new
# message.
inbound_parts = Table(
    "inbound_parts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), unique=True),
    Column("modem_id", Integer, ForeignKey("modems.id"), nullable=False),
    Column("number", String(64), nullable=False),
    Column("concat_ref", Integer),
    Column("part_number", Integer, nullable=False, default=1),
    Column("total_parts", Integer, nullable=False, default=1),
    Column("pdu", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False, default=utcnow),
    Column("message_id", Integer, ForeignKey("messages.id")),
    # Assembly reads only the parts still waiting for their message: an index of those
    # alone stays small however many messages a modem ever received.
    partial_index("ix_inbound_parts_pending", "modem_id", "id", where="message_id IS NULL"),
)

incoming_calls = Table(
    "incoming_calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32)),
    Column("raw_number", String(64)),
    Column("received_at", UTCDateTime, nullable=False, default=utcnow),
    Column("modem_id", Integer, ForeignKey("modems.id")),
    # Rings heard so far: a call is recorded at its first ring, updated at each next one.
    Column("rings", Integer, nullable=False, default=1, server_default="1"),
    # A daemon that restarts mid-call hears the rest of its rings: by this it knows
    # them for the call it recorded before, not a new one.
    Column("last_ring_at", UTCDateTime),
    Column("hung_up", Boolean, nullable=False, default=False, server_default=false()),
    # The automatic SMS this call brought its caller ([calls] auto_reply).
    Column("reply_message_id", Integer, ForeignKey("messages.id")),
    # The calls page, newest first, page by page (smsbox.calls.calls_page).
    Index("ix_incoming_calls_received", "received_at", "id"),
)

# A fault the daemon recorded for a modem (smsbox.modems.record_state): the same fault
# again straight after counts on the same row. Only the latest are kept.
modem_errors = Table(
    "modem_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("modem_id", Integer, ForeignKey("modems.id", ondelete="CASCADE"), nullable=False),
    Column("error", Text, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("times", Integer, nullable=False, default=1, server_default="1"),
    Index("ix_modem_errors_modem", "modem_id", "id"),
)
