"""What the daemon last saw of each modem, for staff and for the web page."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smsbox.models import Modem, ModemError, utcnow

# Connected and set up: the state in which a modem is given messages to send.
READY = "ready"
CONNECTING = "connecting"
# No daemon serves it: stopped cleanly, or its daemon died and another noticed.
STOPPED = "stopped"
# The errors kept per modem: enough to see what went wrong lately, bounded however
# long a modem keeps failing.
ERRORS_KEPT = 50


def ensure_modem(
    session: Session, name: str, device: str, *, role: str = "both", rate_limit: int | None = None
) -> Modem:
    """The modem's row, created if need be, with what its [[modem]] section says now."""
    modem = session.scalar(select(Modem).where(Modem.name == name))
    if modem is None:
        modem = Modem(name=name, device=device)
        session.add(modem)
        session.flush()
    modem.device = device
    modem.role = role
    modem.rate_limit = rate_limit
    return modem


def record_state(session: Session, modem_id: int, state: str, error: str | None = None) -> None:
    """The modem's state now, and the fault that brought it there, if any, which
    joins its recent errors too."""
    modem = session.get_one(Modem, modem_id)
    modem.state = state
    modem.last_error = error
    modem.last_seen_at = utcnow()
    if error is not None:
        record_error(session, modem_id, error, modem.last_seen_at)


def record_error(session: Session, modem_id: int, error: str, at: datetime) -> None:
    """Add `error` to the modem's recent errors: on their newest row when it is the same
    fault again (a modem that keeps failing the same way fills no history), and drop
    all but the newest ERRORS_KEPT."""
    newest = session.scalar(
        select(ModemError)
        .where(ModemError.modem_id == modem_id)
        .order_by(ModemError.id.desc())
        .limit(1)
    )
    if newest is not None and newest.error == error:
        newest.times += 1
        newest.last_at = at
        return
    session.add(ModemError(modem_id=modem_id, error=error, first_at=at, last_at=at))
    session.flush()
    oldest_kept = (
        select(ModemError.id)
        .where(ModemError.modem_id == modem_id)
        .order_by(ModemError.id.desc())
        .offset(ERRORS_KEPT - 1)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        delete(ModemError).where(ModemError.modem_id == modem_id, ModemError.id < oldest_kept)
    )


def recent_errors(session: Session, modem_id: int) -> list[ModemError]:
    """The modem's recent errors, newest first."""
    query = select(ModemError).where(ModemError.modem_id == modem_id)
    return list(session.scalars(query.order_by(ModemError.id.desc())))


def latest_errors(session: Session) -> dict[int, ModemError]:
    """Each modem's newest error, by modem id (those that have had one)."""
    newest = select(func.max(ModemError.id)).group_by(ModemError.modem_id)
    return {
        error.modem_id: error
        for error in session.scalars(select(ModemError).where(ModemError.id.in_(newest)))
    }


def record_signal(session: Session, modem_id: int, quality: int | None) -> None:
    """Quality as AT+CSQ gives it: 0 to 31, None when unknown."""
    modem = session.get_one(Modem, modem_id)
    modem.signal_quality = quality
    modem.last_seen_at = utcnow()


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
    record_signal(session, modem_id, signal)
    modem = session.get_one(Modem, modem_id)
    modem.registration = registration
    modem.operator = operator
    modem.storage_used = storage_used
    modem.storage_total = storage_total
    modem.imei = imei
    modem.imsi = imsi
    modem.iccid = iccid
    modem.own_number = own_number
    modem.status_checked_at = modem.last_seen_at


def record_rate_limited(session: Session, modem_id: int, until: datetime) -> None:
    session.get_one(Modem, modem_id).rate_limited_until = until


def list_modems(session: Session) -> list[Modem]:
    return list(session.scalars(select(Modem).order_by(Modem.name)))


def find_modem(session: Session, modem_id: int) -> Modem | None:
    # Past 64 bits no id fits in the database's integers (and SQLite would overflow).
    return session.get(Modem, modem_id) if 0 < modem_id < 2**63 else None


def _pin_hash(modem: Modem, pin: str) -> str:
    return hashlib.sha256(f"{modem.name}:{pin}".encode()).hexdigest()


def pin_was_refused(session: Session, modem_id: int, pin: str) -> bool:
    """Whether the SIM of this modem refused exactly this PIN before."""
    modem = session.get_one(Modem, modem_id)
    return modem.rejected_pin_hash == _pin_hash(modem, pin)


def record_refused_pin(session: Session, modem_id: int, pin: str) -> None:
    modem = session.get_one(Modem, modem_id)
    modem.rejected_pin_hash = _pin_hash(modem, pin)
