"""Webhooks: the URLs other software registered, and each event owed to one of them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, false, true

from smsbox.tables.columns import UTCDateTime, metadata, partial_index, utcnow

# A URL that receives the events it subscribed to (`smsbox.webhooks`).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),
    # Comma-separated event types (smsbox.webhooks.events.EVENT_TYPES).
    Column("events", String(255), nullable=False),
    # `whsec_` and base64: the Standard Webhooks form, shown once to whoever adds it.
    Column("secret", String(64), nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("enabled", Boolean, nullable=False, default=True, server_default=true()),
    # Set by an admin: the URL may be on the box itself or link-local.
    Column("allow_private", Boolean, nullable=False, default=False, server_default=false()),
)

# What the sender still has to do: neither delivered nor given up.
PENDING = "delivered_at IS NULL AND given_up_at IS NULL"

# One event owed to one endpoint: written in the transaction of the event, posted by
# the daemon's sender until the endpoint answers 2xx or a day has passed.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "endpoint_id",
        Integer,
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_type", String(32), nullable=False),
    # The `webhook-id` header: the same for every attempt, so receivers can drop repeats.
    Column("event_id", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    # Also the lease of a claimed row: a sender that died mid-post leaves it due again.
    Column("next_attempt_at", UTCDateTime, nullable=False, default=utcnow),
    Column("last_status_code", Integer),
    Column("last_answer", Text),
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("given_up_at", UTCDateTime),
    # The sender's claim reads only the pending rows, soonest first.
    partial_index("ix_webhook_deliveries_due", "next_attempt_at", where=PENDING),
    Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
)
