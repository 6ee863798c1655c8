"""What /api/v1/webhooks reads and writes (pydantic models, as web.api.schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from smsbox.models import WebhookDelivery, WebhookEndpoint
from smsbox.webhooks.guard import MAX_URL_LENGTH
from web.api.schemas import Answer, Query, Request

EventType = Literal[
    "message.received",
    "message.sent",
    "message.delivered",
    "message.failed",
    "call.received",
    "optout.created",
]


class WebhookRequest(Request):
    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="http or https URL; one on this box or link-local needs allow_private",
    )
    events: list[EventType] = Field(min_length=1, description="the events posted to it")
    allow_private: bool = Field(
        False, description="allow a URL on this box itself or a link-local address"
    )


class WebhookOut(Answer):
    id: int
    url: str
    events: list[str]
    enabled: bool
    allow_private: bool
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=endpoint.events.split(","),
            enabled=endpoint.enabled,
            allow_private=endpoint.allow_private,
            created_by=endpoint.created_by,
            created_at=endpoint.created_at,
        )


class NewWebhookOut(WebhookOut):
    secret: str = Field(
        description="the signing secret (whsec_...), given only in this answer: the "
        "receiver checks each request's webhook-signature with it (Standard Webhooks)"
    )


class WebhookList(Answer):
    webhooks: list[WebhookOut]


class DeliveryFilter(Query):
    limit: int = Field(50, ge=1, le=100)


class DeliveryOut(Answer):
    id: int
    event: str
    event_id: str
    created_at: datetime
    attempts: int
    last_status_code: int | None
    last_answer: str | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    given_up_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        pending = delivery.delivered_at is None and delivery.given_up_at is None
        return cls(
            id=delivery.id,
            event=delivery.event_type,
            event_id=delivery.event_id,
            created_at=delivery.created_at,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_answer=delivery.last_answer,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            delivered_at=delivery.delivered_at,
            given_up_at=delivery.given_up_at,
        )


class DeliveryList(Answer):
    deliveries: list[DeliveryOut]
