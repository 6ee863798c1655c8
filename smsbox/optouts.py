"""The STOP list: numbers that asked to receive nothing more.

A number gets on it by an inbound message that says only a STOP keyword, or by a
person (`smsbox optout add`). Sending checks it when the daemon claims a message
(`smsbox.sending.claim_next`), so a message queued before the STOP is held too.
Numbers are E.164, as `smsbox.numbers` makes them; callers normalise.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smsbox.models import Direction, Message, OptOut

# The whole text, once normalised (see `_normalised`), must be one of these.
# French networks and regulators know STOP; ARRÊT is what French speakers type.
STOP_KEYWORDS = ("STOP", "ARRÊT")


def _normalised(text: str) -> str:
    """Case and accents folded (ARRÊT, arret, Arrêt are one word), and the whitespace
    and punctuation around it dropped ("Stop.", " stop! "); inside it stays, so that
    "S T O P" is no keyword. Emoji and other symbols are not punctuation: "Stop 🙏"
    is a sentence, not a keyword, and a person can add the number by hand."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    around = {
        char for char in folded if char.isspace() or unicodedata.category(char).startswith("P")
    }
    return folded.strip("".join(around))


_KEYWORDS = frozenset(_normalised(keyword) for keyword in STOP_KEYWORDS)


def is_stop_request(text: str) -> bool:
    """Whether the whole text is a STOP keyword ("please don't stop" is not)."""
    return _normalised(text) in _KEYWORDS


def is_stop_message(message: Message) -> bool:
    """An inbound message, joined without error, whose text is a STOP keyword: a long
    message that could not be joined carries only what its parts hold."""
    return (
        message.direction == Direction.INBOUND
        and message.error is None
        and is_stop_request(message.body)
    )


def opt_out(session: Session, number: str, source_message_id: int | None = None) -> OptOut:
    """Put `number` on the list, once: a second STOP keeps the first one's date and message."""
    existing = session.scalar(select(OptOut).where(OptOut.number == number))
    if existing is not None:
        return existing
    added = OptOut(number=number, source_message_id=source_message_id)
    session.add(added)
    session.flush()
    return added


def opt_in(session: Session, number: str) -> bool:
    """Take `number` off the list; False when it was not on it."""
    return bool(session.execute(delete(OptOut).where(OptOut.number == number)).rowcount)


def is_opted_out(session: Session, number: str) -> bool:
    return session.scalar(select(OptOut.id).where(OptOut.number == number)) is not None


def list_optouts(session: Session) -> list[OptOut]:
    return list(session.scalars(select(OptOut).order_by(OptOut.created_at, OptOut.id)))


def blocked_reason(opted_out: OptOut) -> str:
    """Why a message to an opted-out number was not sent, for the staff who queued it."""
    when = f"{opted_out.created_at:%Y-%m-%d %H:%M} UTC"
    if opted_out.source_message_id is None:
        return f"the recipient is on the opt-out list (added on {when})"
    return f"the recipient opted out (STOP on {when})"
