"""The parts a driver stores for a message: PDUs (SMSC address first) in hex, so that
a part resent later keeps the concatenation reference of its siblings."""

from __future__ import annotations

from modem import pdu_encoding
from modem.drivers.contract import DriverSettings, PduRequest


def split_into_pdus(
    settings: DriverSettings, number: str, text: str, request: PduRequest
) -> list[str]:
    """One SMS-SUBMIT per part, with the validity period `request` asks for, and a
    status report if both it and the modem's `settings` want one; ValueError for
    what no SMS can carry."""
    return [
        part.hex
        for part in pdu_encoding.encode_submit(
            number,
            text,
            status_report=settings.status_reports and request.delivery_report,
            validity_hours=request.validity_hours,
        )
    ]
