"""The sender's side of the delivery rows: claiming those due, recording each attempt.

A claim moves the row's next_attempt_at a lease ahead, in the claiming transaction: a
sender that dies mid-post leaves the row to be claimed again once the lease ran out,
so a delivery is posted at least once (receivers drop repeats by `webhook-id`). On
PostgreSQL the candidates are read FOR UPDATE SKIP LOCKED, as `smsbox.sending` claims
messages; on SQLite the single writer and the conditional UPDATE do it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smsbox.config import WebhooksConfig
from smsbox.models import WebhookDelivery, WebhookEndpoint, utcnow
from smsbox.webhooks.retries import next_attempt

# Longer than a post may take (its 10 s timeout, DNS and the guard included).
LEASE = timedelta(seconds=60)
ANSWER_EXCERPT = 500
_PENDING = (WebhookDelivery.delivered_at.is_(None), WebhookDelivery.given_up_at.is_(None))


@dataclass(frozen=True)
class Claimed:
    """What a post needs, read in the claim: no row is held while posting."""

    id: int
    endpoint_id: int
    url: str
    secret: str
    allow_private: bool
    event_id: str
    payload: str
    attempts: int
    created_at: datetime


def claim_due(
    session: Session, room: Callable[[int], int], *, limit: int, now: datetime | None = None
) -> list[Claimed]:
    """Up to `limit` due deliveries to enabled endpoints, soonest first, and to each
    endpoint no more than `room(endpoint_id)`. Commits."""
    due = now or utcnow()
    candidates = session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.endpoint_id,
            WebhookEndpoint.url,
            WebhookEndpoint.secret,
            WebhookEndpoint.allow_private,
            WebhookDelivery.event_id,
            WebhookDelivery.payload,
            WebhookDelivery.attempts,
            WebhookDelivery.created_at,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(*_PENDING, WebhookDelivery.next_attempt_at <= due, WebhookEndpoint.enabled)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit * 4)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()
    chosen: list[Claimed] = []
    taken: dict[int, int] = {}
    for row in candidates:
        if taken.get(row.endpoint_id, 0) >= room(row.endpoint_id):
            continue
        taken[row.endpoint_id] = taken.get(row.endpoint_id, 0) + 1
        chosen.append(Claimed(*row))
        if len(chosen) == limit:
            break
    if not chosen:
        session.commit()
        return []
    won = set(
        session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_([claim.id for claim in chosen]),
                WebhookDelivery.next_attempt_at <= due,
                *_PENDING,
            )
            .values(next_attempt_at=due + LEASE)
            .returning(WebhookDelivery.id)
        )
    )
    session.commit()
    return [claim for claim in chosen if claim.id in won]


@dataclass(frozen=True)
class Attempt:
    """What one post came to: a status code and the answer's start, or an error."""

    status_code: int | None = None
    answer: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def record_attempt(
    session: Session,
    claim: Claimed,
    attempt: Attempt,
    settings: WebhooksConfig,
    now: datetime | None = None,
) -> None:
    """Delivered, to be tried again, or given up. The caller commits."""
    at = now or utcnow()
    attempts = claim.attempts + 1
    values: dict[str, object] = {
        "attempts": attempts,
        "last_attempt_at": at,
        "last_status_code": attempt.status_code,
        "last_answer": None if attempt.answer is None else attempt.answer[:ANSWER_EXCERPT],
        "last_error": attempt.error,
    }
    if attempt.succeeded:
        values["delivered_at"] = at
    else:
        retry_at = next_attempt(settings, attempts, claim.created_at, at)
        if retry_at is None:
            values["given_up_at"] = at
        else:
            values["next_attempt_at"] = retry_at
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == claim.id).values(values))


def next_due(session: Session) -> datetime | None:
    """When the soonest pending delivery falls due."""
    query = (
        select(WebhookDelivery.next_attempt_at)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(*_PENDING, WebhookEndpoint.enabled)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(1)
    )
    return session.scalar(query)
