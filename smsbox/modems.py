"""What the daemon last saw of each modem, for staff and for the web page.

Written and read on the Core tables: the daemon records its modems without the ORM,
and the pages read rows (a mapped modem a session had loaded before would not see
what a Core statement wrote since)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, func, insert, select, update

from smsbox.tables import modem_errors, modems, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Connected and set up: the state in which a modem is given messages to send.
READY = "ready"
CONNECTING = "connecting"
# No daemon serves it: stopped cleanly, or its daemon died and another noticed.
STOPPED = "stopped"
# The errors kept per modem: enough to see what went wrong lately, bounded however
# long a modem keeps failing.
ERRORS_KEPT = 50


def ensure_modem(
    session: Session,
    name: str,
    device: str,
    *,
    role: str = "both",
    rate_limit: int | None = None,
    state: str | None = None,
) -> int:
    """The id of the modem's row, created if need be, with what its [[modem]] section
    says now (and `state`, when given)."""
    values: dict[str, Any] = {"device": device, "role": role, "rate_limit": rate_limit}
    if state is not None:
        values["state"] = state
    modem_id = session.scalar(select(modems.c.id).where(modems.c.name == name))
    if modem_id is None:
        return session.execute(insert(modems).values(name=name, **values)).inserted_primary_key[0]
    _change(session, modem_id, **values)
    return modem_id


def _change(session: Session, modem_id: int, **values: object) -> None:
    session.execute(update(modems).where(modems.c.id == modem_id).values(**values))


def record_state(session: Session, modem_id: int, state: str, error: str | None = None) -> None:
    """The modem's state now, and the fault that brought it there, if any, which
    joins its recent errors too."""
    now = utcnow()
    _change(session, modem_id, state=state, last_error=error, last_seen_at=now)
    if error is not None:
        record_error(session, modem_id, error, now)


def record_error(session: Session, modem_id: int, error: str, at: datetime) -> None:
    """Add `error` to the modem's recent errors: on their newest row when it is the same
    fault again (a modem that keeps failing the same way fills no history), and drop
    all but the newest ERRORS_KEPT."""
    newest = session.execute(
        select(modem_errors.c.id, modem_errors.c.error)
        .where(modem_errors.c.modem_id == modem_id)
        .order_by(modem_errors.c.id.desc())
        .limit(1)
    ).first()
    if newest is not None and newest.error == error:
        session.execute(
            update(modem_errors)
            .where(modem_errors.c.id == newest.id)
            .values(times=modem_errors.c.times + 1, last_at=at)
        )
        return
    session.execute(
        insert(modem_errors).values(modem_id=modem_id, error=error, first_at=at, last_at=at)
    )
    oldest_kept = (
        select(modem_errors.c.id)
        .where(modem_errors.c.modem_id == modem_id)
        .order_by(modem_errors.c.id.desc())
        .offset(ERRORS_KEPT - 1)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        delete(modem_errors).where(
            modem_errors.c.modem_id == modem_id, modem_errors.c.id < oldest_kept
        )
    )


def recent_errors(session: Session, modem_id: int) -> list[Row[Any]]:
    """The modem's recent errors, newest first."""
    query = select(modem_errors).where(modem_errors.c.modem_id == modem_id)
    return list(session.execute(query.order_by(modem_errors.c.id.desc())))


def latest_errors(session: Session) -> dict[int, Row[Any]]:
    """Each modem's newest error, by modem id (those that have had one)."""
    newest = select(func.max(modem_errors.c.id)).group_by(modem_errors.c.modem_id)
    query = select(modem_errors).where(modem_errors.c.id.in_(newest))
    return {error.modem_id: error for error in session.execute(query)}


def record_signal(session: Session, modem_id: int, quality: int | None) -> None:
    """Quality as AT+CSQ gives it: 0 to 31, None when unknown."""
    _change(session, modem_id, signal_quality=quality, last_seen_at=utcnow())


def record_status(
    session: Session,
    modem_id: int,
    *,
    signal: int | None,
    registration: str | None,
    operator: str | None,
    storage_used: int | None,
    storage_total: int | None,
    imei: str | None,
    imsi: str | None,
    iccid: str | None,
    own_number: str | None,
) -> None:
    """What the modem just said of itself (`modem.drivers.contract.ModemStatus`'s
    fields); None where it did not say, replacing what it said before."""
    now = utcnow()
    _change(
        session,
        modem_id,
        signal_quality=signal,
        last_seen_at=now,
        registration=registration,
        operator=operator,
        storage_used=storage_used,
        storage_total=storage_total,
        imei=imei,
        imsi=imsi,
        iccid=iccid,
        own_number=own_number,
        status_checked_at=now,
    )


def record_rate_limited(session: Session, modem_id: int, until: datetime) -> None:
    _change(session, modem_id, rate_limited_until=until)


def list_modems(session: Session) -> list[Row[Any]]:
    return list(session.execute(select(modems).order_by(modems.c.name)))


def find_modem(session: Session, modem_id: int) -> Row[Any] | None:
    # Past 64 bits no id fits in the database's integers (and SQLite would overflow).
    if not 0 < modem_id < 2**63:
        return None
    return session.execute(select(modems).where(modems.c.id == modem_id)).first()


def _pin_hash(name: str, pin: str) -> str:
    return hashlib.sha256(f"{name}:{pin}".encode()).hexdigest()


def pin_was_refused(session: Session, modem_id: int, pin: str) -> bool:
    """Whether the SIM of this modem refused exactly this PIN before."""
    modem = session.execute(
        select(modems.c.name, modems.c.rejected_pin_hash).where(modems.c.id == modem_id)
    ).one()
    return modem.rejected_pin_hash == _pin_hash(modem.name, pin)


def record_refused_pin(session: Session, modem_id: int, pin: str) -> None:
    name = session.execute(select(modems.c.name).where(modems.c.id == modem_id)).scalar_one()
    _change(session, modem_id, rejected_pin_hash=_pin_hash(name, pin))
