"""Requests a client may safely repeat: the first answer to an `Idempotency-Key` is
kept a day, and the same request with the same key gets it back instead of being
done again (a client that retries after a timeout never sends twice).

The answer is recorded in the transaction that does the work, so the work and its
record are committed together or not at all; of two identical requests racing, the
second's insert breaks the unique (key, idempotency key) constraint and it rolls
back, then finds the first's answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smsbox.models import IdempotentRequest, utcnow

KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: str


class KeyReused(Exception):
    """The idempotency key was given before with another request."""


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"%s %s\n%s" % (method.encode(), path.encode(), body)).hexdigest()


def stored_answer(
    session: Session, api_key_id: int, key: str, fingerprint: str, now: datetime | None = None
) -> StoredAnswer | None:
    """The answer given to this request before, None when it is new; `KeyReused` when
    the key came with another request. A record older than a day is forgotten."""
    since = (now or utcnow()) - KEPT_FOR
    found = session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.api_key_id == api_key_id,
            IdempotentRequest.key == key,
            IdempotentRequest.created_at > since,
        )
    )
    if found is None:
        return None
    if found.request_hash != fingerprint:
        raise KeyReused(key)
    return StoredAnswer(found.status_code, found.response_body)


def record_answer(
    session: Session, api_key_id: int, key: str, fingerprint: str, answer: StoredAnswer
) -> None:
    """Keep `answer` for the request, in the caller's transaction; forgets the records
    past their day first (this key's one included, so that it may be used again)."""
    forget_expired(session)
    session.add(
        IdempotentRequest(
            api_key_id=api_key_id,
            key=key,
            request_hash=fingerprint,
            status_code=answer.status_code,
            response_body=answer.body,
        )
    )
    session.flush()


def forget_expired(session: Session, now: datetime | None = None) -> int:
    since = (now or utcnow()) - KEPT_FOR
    return session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at <= since)
    ).rowcount
