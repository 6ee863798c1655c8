"""Which modem sends a message, when several share the traffic.

The rule: the modem asked for when the message was queued (`smsbox send --modem`),
and no other, even while it is down; else the sending modem with the fewest
messages in flight, ties going to the one that took a message longest ago (round
robin). Nothing is assigned ahead: each worker asking for work takes a message
only when the rule names it, so a modem that goes down holds nothing it has not
started to send (`sending.recover_unfinished` gives that back).

A modem counts only while it is up: its role lets it send, its state is ready, the
daemon saw it lately, its daemon's lease has not lapsed (`smsbox.leases`: a daemon
that died), and it is not waiting out its rate limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from smsbox import leases
from smsbox.config import RECEIVE_ONLY, ModemConfig
from smsbox.models import Message, Modem, Status
from smsbox.modems import READY, ensure_modem

# A worker writes its modem's last_seen_at at least at each status poll (every
# minute): a modem silent for longer than this belongs to a daemon that died.
SILENT_AFTER = timedelta(minutes=3)
_NEVER = datetime.min.replace(tzinfo=UTC)


class UnknownModem(ValueError):
    """A modem asked for by name that no [[modem]] section sends with."""


def modem_up(now: datetime):
    """The SQL condition of a modem that may be given new work now."""
    return and_(
        Modem.role != RECEIVE_ONLY,
        Modem.state == READY,
        Modem.last_seen_at >= now - SILENT_AFTER,
        or_(Modem.rate_limited_until.is_(None), Modem.rate_limited_until <= now),
        ~leases.lapsed(now),
    )


def next_in_turn(session: Session, asking_id: int, now: datetime) -> int:
    """The modem that should take the next message no modem was asked for: of the
    modems up, and the one asking (it is up, or it would not ask), the one with the
    fewest messages in flight, then the least recently used, then the first."""
    in_flight = (
        select(func.count(Message.id))
        .where(Message.modem_id == Modem.id, Message.status == Status.SENDING)
        .scalar_subquery()
    )
    candidates = session.execute(
        select(Modem.id, Modem.last_claimed_at, in_flight).where(
            or_(Modem.id == asking_id, modem_up(now))
        )
    ).all()
    chosen = min(candidates, key=lambda row: (row[2], row[1] or _NEVER, row[0]))
    return chosen[0]


def requested_modem(session: Session, modems: Sequence[ModemConfig], name: str) -> int:
    """The id of the sending modem called `name` in the configuration, for a message
    that only it may send."""
    senders = [modem for modem in modems if modem.sends]
    chosen = next((modem for modem in senders if modem.name == name), None)
    if chosen is None:
        names = ", ".join(modem.name for modem in senders) or "none is configured"
        known = any(modem.name == name for modem in modems)
        why = "only receives" if known else "is no [[modem]] in the configuration"
        raise UnknownModem(f"modem {name!r} {why}; modems that send: {names}")
    return ensure_modem(
        session, chosen.name, chosen.device, role=chosen.role, rate_limit=chosen.rate_limit
    ).id
