"""A modem as the daemon records it, for the tests of the pages that show modems."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smsbox.modems import ensure_modem, record_state, record_status

STATUS = {
    "signal": 21,
    "registration": "home",
    "operator": "Orange F",
    "storage_used": 4,
    "storage_total": 30,
    "imei": "356938035643809",
    "imsi": "208150123456789",
    "iccid": "8933150123456789012",
    "own_number": "+33600000001",
}


def reported_modem(
    session: Session,
    name: str,
    device: str = "/dev/ttyUSB0",
    *,
    errors: tuple[str, ...] = (),
    state: str = "ready",
    rate_limit: int | None = None,
    **status: object,
) -> int:
    """A modem that had `errors`, then reached `state` and told `status` (over STATUS)."""
    modem_id = ensure_modem(session, name, device, rate_limit=rate_limit)
    for error in errors:
        record_state(session, modem_id, "error", error)
    record_state(session, modem_id, state, errors[-1] if errors and state == "error" else None)
    record_status(session, modem_id, **{**STATUS, **status})  # type: ignore[arg-type]
    return modem_id
