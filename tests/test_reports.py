"""Reading SMS-STATUS-REPORTs: the TP-MR, the recipient and what became of the SMS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modem.drivers.contract import Outcome, outcome_of
from modem.pdu import PduError
from modem.pdu_encoding import encode_deliver, encode_status_report
from modem.reports import read_status_report

SMSC = "+33609001390"
SUBMITTED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DISCHARGED = datetime(2026, 11, 25, 12, 0, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (0x00, Outcome.DELIVERED),  # received by the phone
        (0x01, Outcome.DELIVERED),  # forwarded, unconfirmed
        (0x20, Outcome.PENDING),  # congestion, still trying
        (0x25, Outcome.PENDING),
        (0x40, Outcome.FAILED),  # remote procedure error
        (0x41, Outcome.FAILED),  # incompatible destination
        (0x46, Outcome.EXPIRED),  # validity period expired
        (0x60, Outcome.FAILED),  # congestion, given up
        (0x7F, Outcome.FAILED),
    ],
)
def test_it_reads_what_the_tp_status_means(status, outcome):
    assert outcome_of(status) == outcome


def test_it_reads_the_reference_recipient_status_and_time_of_a_report():
    pdu = encode_status_report(
        213,
        "+33612345678",
        smsc=SMSC,
        submitted_at=SUBMITTED,
        status=0x46,
        discharged_at=DISCHARGED,
    )
    report = read_status_report(pdu)
    assert (report.reference, report.recipient, report.status) == (213, "+33612345678", 0x46)
    assert report.discharged_at == DISCHARGED
    assert report.outcome == Outcome.EXPIRED


def test_it_refuses_a_pdu_that_is_no_status_report():
    (deliver,) = encode_deliver("+33612345678", "bonjour", smsc=SMSC, sent_at=SUBMITTED)
    with pytest.raises(PduError, match="not a status report"):
        read_status_report(deliver)
    with pytest.raises(PduError):
        read_status_report("07913306")
