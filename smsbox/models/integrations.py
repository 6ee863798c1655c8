"""Webhooks: the URLs other software registered, and each event owed to one of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smsbox.models.base import Base, UTCDateTime, partial_index, utcnow


class WebhookEndpoint(Base):
    """A URL that receives the events it subscribed to (`smsbox.webhooks`)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    # Comma-separated event types (smsbox.webhooks.events.EVENT_TYPES).
    events: Mapped[str] = mapped_column(String(255))
    # `whsec_` and base64: the Standard Webhooks form, shown once to whoever adds it.
    secret: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Set by an admin: the URL may be on the box itself or link-local.
    allow_private: Mapped[bool] = mapped_column(default=False, server_default=false())


# What the sender still has to do: neither delivered nor given up.
PENDING = "delivered_at IS NULL AND given_up_at IS NULL"


class WebhookDelivery(Base):
    """One event owed to one endpoint: written in the transaction of the event, posted
    by the daemon's sender until the endpoint answers 2xx or a day has passed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The sender's claim reads only the pending rows, soonest first.
        partial_index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            where=PENDING,
        ),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(32))
    # The `webhook-id` header: the same for every attempt, so receivers can drop repeats.
    event_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Also the lease of a claimed row: a sender that died mid-post leaves it due again.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status_code: Mapped[int | None]
    last_answer: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
