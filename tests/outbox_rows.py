"""Queued messages for the tests of the outbox and of the daemon's sending records."""

from __future__ import annotations

from smsbox.models import Message, Status
from smsbox.outbox import queue_message

REGION = "FR"


def queue(sessions, *numbers: str, scheduled_at=None, text: str = "hello") -> list[int]:
    with sessions() as session:
        ids = [
            queue_message(
                session, number, text, default_region=REGION, scheduled_at=scheduled_at
            ).id
            for number in numbers
        ]
        session.commit()
        return ids


def status_of(sessions, message_id: int) -> Status:
    with sessions() as session:
        return session.get_one(Message, message_id).status
