"""Which modem sends a message, when several share the traffic.

The rule: the modem asked for when the message was queued (`smsbox send --modem`),
and no other, even while it is down; else the sending modem with the fewest
messages in flight, ties going to the one that took a message longest ago (round
robin). Nothing is assigned ahead: each worker asking for work takes a message
only when the rule gives it one of those waiting (the modems in turn take them one
each, so as many modems as messages wait take one at once; a worker also asks while
its modem sends, that message in flight putting it after every idle modem), so a
modem that goes down holds nothing it has not started to send
(`sending.recover_unfinished` gives that back).

A modem counts only while it is up: its role lets it send, its state is ready, the
daemon saw it lately, its daemon's lease has not lapsed (`smsbox.leases`: a daemon
that died), and it is not waiting out its rate limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Join,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    func,
    or_,
    outerjoin,
    select,
)

from smsbox import leases
from smsbox.config import RECEIVE_ONLY, ModemConfig
from smsbox.modems import READY, ensure_modem
from smsbox.tables import Status, messages, modems

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# A worker writes its modem's last_seen_at at least at each status poll (every
# minute): a modem silent for longer than this belongs to a daemon that died.
SILENT_AFTER = timedelta(minutes=3)


class UnknownModem(ValueError):
    """A modem asked for by name that no [[modem]] section sends with."""


def modem_up(now: ColumnElement[datetime], seen_since: ColumnElement[datetime]):
    """The SQL condition of a modem that may be given new work at `now`; `seen_since`
    is now - SILENT_AFTER (apart, so that both may be bound parameters: SQLite cannot
    subtract from a time)."""
    return and_(
        modems.c.role != RECEIVE_ONLY,
        modems.c.state == READY,
        modems.c.last_seen_at >= seen_since,
        or_(modems.c.rate_limited_until.is_(None), modems.c.rate_limited_until <= now),
        ~leases.lapsed(now),
    )


def serving(now: ColumnElement[datetime], seen_since: ColumnElement[datetime]):
    """The SQL condition of a sending modem that is up, or that a live daemon is
    still connecting to: the modems the traffic is about to be shared between."""
    return and_(modems.c.role != RECEIVE_ONLY, or_(modem_up(now, seen_since), leases.held(now)))


def place_in_turn(
    asking_id: ColumnElement[int],
    now: ColumnElement[datetime],
    seen_since: ColumnElement[datetime],
) -> ScalarSelect[int]:
    """How many modems come before the one asking in turn (`idle_in_turn`'s order), as a
    subquery of the claim: the rule gives the messages waiting to the modems in that
    order, one each, so a modem may take one while more wait than modems come before
    it, all such modems at once."""
    in_flight = _in_flight()
    places = (
        select(
            modems.c.id,
            (func.row_number().over(order_by=_turn_order(in_flight)) - 1).label("before"),
        )
        .select_from(_with_in_flight(in_flight))
        .where(or_(modems.c.id == asking_id, modem_up(now, seen_since)))
        .subquery()
    )
    return select(places.c.before).where(places.c.id == asking_id).scalar_subquery()


def idle_in_turn(
    asking_id: ColumnElement[int],
    now: ColumnElement[datetime],
    seen_since: ColumnElement[datetime],
) -> Select[tuple[int]]:
    """The modem that should take the next message no modem was asked for, when it
    sends nothing now (one that sends asks for work by itself once it is done, an idle
    one waits to be told), as a query the claim embeds (`smsbox.claims`): of the modems
    up, and the one asking (it is up, or it would not ask), the one with the fewest
    messages in flight, then the least recently used (one never used first), then the
    first."""
    in_flight = _in_flight()
    return (
        select(modems.c.id)
        .select_from(_with_in_flight(in_flight))
        .where(or_(modems.c.id == asking_id, modem_up(now, seen_since)), _count(in_flight) == 0)
        .order_by(*_turn_order(in_flight))
        .limit(1)
    )


def _turn_order(in_flight: Subquery) -> tuple[ColumnElement[Any], ...]:
    return (_count(in_flight), modems.c.last_claimed_at.asc().nulls_first(), modems.c.id)


def _in_flight() -> Subquery:
    """Each modem's messages in flight, counted in one pass over the messages being
    sent (`messages (status, modem_id)`): counted modem by modem, the claim read
    the messages once for every modem up, 64 times with 8 daemons of 8 modems."""
    return (
        select(messages.c.modem_id, func.count().label("messages"))
        .where(messages.c.status == Status.SENDING)
        .group_by(messages.c.modem_id)
        .subquery()
    )


def _with_in_flight(in_flight: Subquery) -> Join:
    return outerjoin(modems, in_flight, in_flight.c.modem_id == modems.c.id)


def _count(in_flight: Subquery) -> ColumnElement[int]:
    """A modem's messages in flight; none has no row in `in_flight`."""
    return func.coalesce(in_flight.c.messages, 0)


def requested_modem(session: Session, configured: Sequence[ModemConfig], name: str) -> int:
    """The id of the sending modem called `name` in the configuration, for a message
    that only it may send."""
    senders = [modem for modem in configured if modem.sends]
    chosen = next((modem for modem in senders if modem.name == name), None)
    if chosen is None:
        names = ", ".join(modem.name for modem in senders) or "none is configured"
        known = any(modem.name == name for modem in configured)
        why = "only receives" if known else "is no [[modem]] in the configuration"
        raise UnknownModem(f"modem {name!r} {why}; modems that send: {names}")
    return ensure_modem(
        session, chosen.name, chosen.device, role=chosen.role, rate_limit=chosen.rate_limit
    )
