"""What the daemon last saw of each modem, for staff and for the web page."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsbox.models import Modem, utcnow

# Connected and set up: the state in which a modem is given messages to send.
READY = "ready"
CONNECTING = "connecting"


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
    modem = session.get_one(Modem, modem_id)
    modem.state = state
    modem.last_error = error
    modem.last_seen_at = utcnow()


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


def _pin_hash(modem: Modem, pin: str) -> str:
    return hashlib.sha256(f"{modem.name}:{pin}".encode()).hexdigest()


def pin_was_refused(session: Session, modem_id: int, pin: str) -> bool:
    """Whether the SIM of this modem refused exactly this PIN before."""
    modem = session.get_one(Modem, modem_id)
    return modem.rejected_pin_hash == _pin_hash(modem, pin)


def record_refused_pin(session: Session, modem_id: int, pin: str) -> None:
    modem = session.get_one(Modem, modem_id)
    modem.rejected_pin_hash = _pin_hash(modem, pin)
