"""The parts a driver stores for a message: PDUs (SMSC address first) in hex, so that
a part resent later keeps the concatenation reference of its siblings."""

from __future__ import annotations

from modem import pdu as pdus
from modem.drivers.contract import DriverSettings


def split_into_pdus(settings: DriverSettings, number: str, text: str) -> list[str]:
    """One SMS-SUBMIT per part, asking for a status report and a validity period as
    `settings` say; ValueError for what no SMS can carry."""
    return [
        part.hex
        for part in pdus.encode_submit(
            number,
            text,
            status_report=settings.status_reports,
            validity_hours=settings.validity_hours,
        )
    ]
