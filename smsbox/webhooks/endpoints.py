"""Registering webhook endpoints, and looking back on their deliveries. The caller
commits; the sender hears of a change within a minute, at once in this process."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.models import WebhookDelivery, WebhookEndpoint, utcnow
from smsbox.refusals import Refusal
from smsbox.webhooks.event_types import EVENT_TYPES
from smsbox.webhooks.events import subscriptions
from smsbox.webhooks.guard import check_url
from smsbox.webhooks.signing import new_secret

RECENT_DELIVERIES = 50


class WebhookRefused(Refusal):
    """An endpoint or delivery that cannot be added, found or replayed."""


def parse_events(given: str | Iterable[str]) -> list[str]:
    """The event types named (comma-separated, or a list), checked, in the order given."""
    names = given.split(",") if isinstance(given, str) else list(given)
    chosen = [name.strip() for name in names if name.strip()]
    if not chosen:
        raise WebhookRefused("choose at least one event: %(known)s", known=", ".join(EVENT_TYPES))
    for name in chosen:
        if name not in EVENT_TYPES:
            raise WebhookRefused(
                "%(name)s is no event; choose among %(known)s",
                name=name,
                known=", ".join(EVENT_TYPES),
            )
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    # Shown once, to whoever added the endpoint, for the receiver to check signatures.
    secret: str


def add_endpoint(
    session: Session,
    url: str,
    events: str | Iterable[str],
    *,
    created_by: str,
    allow_private: bool = False,
) -> NewEndpoint:
    """UrlRefused or WebhookRefused for a URL or events that cannot be used."""
    chosen = parse_events(events)
    url = url.strip()
    check_url(url, allow_private=allow_private)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url,
        events=",".join(chosen),
        secret=secret,
        created_by=created_by[:80],
        allow_private=allow_private,
    )
    session.add(endpoint)
    session.flush()
    subscriptions.forget()
    return NewEndpoint(endpoint, secret)


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    found = session.get(WebhookEndpoint, endpoint_id)
    if found is None:
        raise WebhookRefused("there is no webhook %(id)s", id=endpoint_id)
    return found


def remove_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    """Removed with the deliveries still owed to it."""
    found = endpoint(session, endpoint_id)
    session.delete(found)
    session.flush()
    subscriptions.forget()
    return found


def set_enabled(session: Session, endpoint_id: int, enabled: bool) -> WebhookEndpoint:
    """A disabled endpoint gets no new events; what it is owed waits for it."""
    found = endpoint(session, endpoint_id)
    found.enabled = enabled
    session.flush()
    subscriptions.forget()
    return found


def deliveries(
    session: Session, endpoint_id: int | None = None, *, limit: int = RECENT_DELIVERIES
) -> list[WebhookDelivery]:
    """Newest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return list(session.scalars(query))


def replay(session: Session, delivery_id: int) -> WebhookDelivery:
    """Post a delivery's event again, as a new delivery with the same event id (so a
    receiver that keeps ids knows it), whatever became of the first."""
    original = session.get(WebhookDelivery, delivery_id)
    if original is None:
        raise WebhookRefused("there is no webhook delivery %(id)s", id=delivery_id)
    now = utcnow()
    again = WebhookDelivery(
        endpoint_id=original.endpoint_id,
        event_type=original.event_type,
        event_id=original.event_id,
        payload=original.payload,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(again)
    session.flush()
    return again
