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
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update

from smsbox.config import WebhooksConfig
from smsbox.tables import utcnow, webhook_deliveries, webhook_endpoints
from smsbox.webhooks.retries import next_attempt

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Longer than a post may take (its 10 s timeout, DNS and the guard included).
LEASE = timedelta(seconds=60)
ANSWER_EXCERPT = 500
_PENDING = (webhook_deliveries.c.delivered_at.is_(None), webhook_deliveries.c.given_up_at.is_(None))


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


def _moment(name: str):
    """A time parameter, stored as the columns store times (UTC)."""
    return bindparam(name, type_=webhook_deliveries.c.next_attempt_at.type)


# Built once, Core rather than ORM statements: the sender runs them for every few
# posts, and building them (or the ORM's bulk UPDATE) cost more than SQLite running them.
_CANDIDATES = (
    select(
        webhook_deliveries.c.id,
        webhook_deliveries.c.endpoint_id,
        webhook_endpoints.c.url,
        webhook_endpoints.c.secret,
        webhook_endpoints.c.allow_private,
        webhook_deliveries.c.event_id,
        webhook_deliveries.c.payload,
        webhook_deliveries.c.attempts,
        webhook_deliveries.c.created_at,
    )
    .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
    .where(
        *_PENDING,
        webhook_deliveries.c.next_attempt_at <= _moment("due"),
        webhook_endpoints.c.enabled,
    )
    .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
    .limit(bindparam("candidates"))
    .with_for_update(of=webhook_deliveries, skip_locked=True)
)
_CLAIM = (
    update(webhook_deliveries)
    .where(
        webhook_deliveries.c.id.in_(bindparam("ids", expanding=True)),
        webhook_deliveries.c.next_attempt_at <= _moment("due"),
        webhook_deliveries.c.delivered_at.is_(None),
        webhook_deliveries.c.given_up_at.is_(None),
    )
    .values(next_attempt_at=_moment("lease_end"))
    .returning(webhook_deliveries.c.id)
)
# One row per attempt, all in one executemany: a retry time or a delivery time, the
# other kept.
_RECORD = (
    update(webhook_deliveries)
    .where(webhook_deliveries.c.id == bindparam("delivery_id"))
    .values(
        attempts=bindparam("attempts"),
        last_attempt_at=_moment("at"),
        last_status_code=bindparam("status_code"),
        last_answer=bindparam("answer"),
        last_error=bindparam("error"),
        delivered_at=_moment("delivered_at"),
        given_up_at=_moment("given_up_at"),
        next_attempt_at=func.coalesce(_moment("retry_at"), webhook_deliveries.c.next_attempt_at),
    )
)


def claim_due(
    session: Session, room: Callable[[int], int], *, limit: int, now: datetime | None = None
) -> list[Claimed]:
    """Up to `limit` due deliveries to enabled endpoints, soonest first, and to each
    endpoint no more than `room(endpoint_id)`. Commits."""
    due = now or utcnow()
    candidates = session.execute(_CANDIDATES, {"due": due, "candidates": limit * 4}).all()
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
    ids = [claim.id for claim in chosen]
    won = set(session.scalars(_CLAIM, {"ids": ids, "due": due, "lease_end": due + LEASE}))
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


def record_attempts(
    session: Session,
    finished: list[tuple[Claimed, Attempt]],
    settings: WebhooksConfig,
    now: datetime | None = None,
) -> None:
    """Each delivery delivered, to be tried again, or given up, in one statement. The
    caller commits."""
    at = now or utcnow()
    rows = []
    for claim, attempt in finished:
        attempts = claim.attempts + 1
        retry_at = (
            None if attempt.succeeded else next_attempt(settings, attempts, claim.created_at, at)
        )
        rows.append(
            {
                "delivery_id": claim.id,
                "attempts": attempts,
                "at": at,
                "status_code": attempt.status_code,
                "answer": None if attempt.answer is None else attempt.answer[:ANSWER_EXCERPT],
                "error": attempt.error,
                "delivered_at": at if attempt.succeeded else None,
                "given_up_at": None if attempt.succeeded or retry_at is not None else at,
                "retry_at": retry_at,
            }
        )
    if rows:
        session.execute(_RECORD, rows)


def next_due(session: Session) -> datetime | None:
    """When the soonest pending delivery falls due."""
    query = (
        select(webhook_deliveries.c.next_attempt_at)
        .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
        .where(*_PENDING, webhook_endpoints.c.enabled)
        .order_by(webhook_deliveries.c.next_attempt_at)
        .limit(1)
    )
    return session.scalar(query)
