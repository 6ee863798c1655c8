"""SMS-STATUS-REPORT: what the network says became of a message it took.

Pure reading of the PDU a modem hands over with +CDS (python-gammu decodes it);
the daemon matches it to its part by the TP-MR the modem gave at submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from modem.pdu import PduError, decode


class Outcome(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"
    FAILED = "failed"
    EXPIRED = "expired"


# TP-Status, 3GPP TS 23.040 §9.2.3.15: 0x00-0x1F the transaction is complete
# (received, or forwarded without confirmation, or replaced); 0x20-0x3F the
# service centre still tries; from 0x40 on it gave up, 0x46 when the validity
# period ran out.
VALIDITY_PERIOD_EXPIRED = 0x46


def outcome_of(status: int) -> Outcome:
    if status < 0x20:
        return Outcome.DELIVERED
    if status < 0x40:
        return Outcome.PENDING
    if status == VALIDITY_PERIOD_EXPIRED:
        return Outcome.EXPIRED
    return Outcome.FAILED


@dataclass(frozen=True)
class StatusReport:
    reference: int
    recipient: str
    status: int
    # When the service centre delivered it, or gave up.
    discharged_at: datetime

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.status)


def read_status_report(pdu_hex: str) -> StatusReport:
    """The report in a PDU (SMSC address first); PduError for anything else."""
    decoded = decode(pdu_hex)
    if decoded["Type"] != "Status_Report":
        raise PduError(f"not a status report: {decoded['Type']}")
    return StatusReport(
        reference=decoded["MessageReference"],
        recipient=decoded["Number"],
        status=decoded["DeliveryStatus"],
        discharged_at=decoded["SMSCDateTime"],
    )
