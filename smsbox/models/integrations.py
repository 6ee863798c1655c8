"""Webhook endpoints and the deliveries owed to them (smsbox.tables.integrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, relationship

from smsbox import tables
from smsbox.models.base import Base


class WebhookEndpoint(Base):
    __table__ = tables.webhook_endpoints

    id: Mapped[int]
    url: Mapped[str]
    events: Mapped[str]
    secret: Mapped[str]
    created_by: Mapped[str]
    created_at: Mapped[datetime]
    enabled: Mapped[bool]
    allow_private: Mapped[bool]


class WebhookDelivery(Base):
    __table__ = tables.webhook_deliveries

    id: Mapped[int]
    endpoint_id: Mapped[int]
    event_type: Mapped[str]
    event_id: Mapped[str]
    payload: Mapped[str]
    created_at: Mapped[datetime]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    last_status_code: Mapped[int | None]
    last_answer: Mapped[str | None]
    last_error: Mapped[str | None]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    given_up_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
