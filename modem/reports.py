"""SMS-STATUS-REPORT: what the network says became of a message it took.

Pure reading of the PDU a modem hands over with +CDS (python-gammu decodes it);
the daemon matches it to its part by the TP-MR the modem gave at submission.
"""

from __future__ import annotations

from modem.drivers.contract import StatusReport
from modem.pdu import PduError, decode


def read_status_report(pdu_hex: str) -> StatusReport:
    """The report in a PDU (SMSC address first); PduError for anything else."""
    return report_from(decode(pdu_hex))


def report_from(decoded: dict) -> StatusReport:
    """The report in python-gammu's dictionary of an SMS; PduError for another SMS."""
    if decoded["Type"] != "Status_Report":
        raise PduError(f"not a status report: {decoded['Type']}")
    return StatusReport(
        reference=decoded["MessageReference"],
        recipient=decoded["Number"],
        status=decoded["DeliveryStatus"],
        discharged_at=decoded["SMSCDateTime"],
    )
