"""Queued messages for the tests of the outbox and of the daemon's sending records."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smsbox import sending
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


def interrupt_second_of_three(session: Session, modem_id: int) -> Message:
    """Claim the next message and end it as a modem leaves it that took its second part
    of three and never answered; the first and third parts went out."""
    message = sending.claim_next(session, modem_id)
    assert message is not None
    sending.prepare_parts(message, ["00AA", "00BB", "00CC"])
    for part in message.parts:
        sending.record_handover(part)
    sending.record_part_sent(message, message.parts[0], reference=1)
    sending.record_unknown_outcome(message.parts[1], "no answer")
    sending.record_part_sent(message, message.parts[2], reference=3)
    return message
