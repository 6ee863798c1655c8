"""The simulated network: what the box submitted, what it receives, and reports.

Submitted messages are decoded with python-gammu and long ones joined, so a
test compares what the network got with what was queued, character for character.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from modem import pdu as pdus
from modem import pdu_encoding

REPORT_OUTCOMES = {"delivered": 0x00, "expired": 0x46, "failed": 0x41}
# <stat> of +CREG (TS 27.007 §7.2): 1 registered home, 5 registered roaming.
HOME_REGISTERED, ROAMING = 1, 5
REGISTERED = (HOME_REGISTERED, ROAMING)


@dataclass(frozen=True)
class Submission:
    """One part as the network acknowledged it."""

    reference: int
    recipient: str
    status_report: bool
    submitted_at: datetime


@dataclass
class SubmittedSms:
    """A message as the network saw it, long messages joined from their parts."""

    recipient: str
    text: str
    parts: list[str] = field(default_factory=list)
    references: list[int] = field(default_factory=list)
    status_report: bool = False
    message_class: int = -1
    validity: str = "NA"
    submitted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict:
        return {
            "recipient": self.recipient,
            "text": self.text,
            "parts": len(self.parts),
            "references": self.references,
            "status_report": self.status_report,
            "class": self.message_class,
            "validity": self.validity,
            "submitted_at": self.submitted_at.isoformat(),
        }


@dataclass
class CallRecord:
    """A call the network put through to the box: who (None when withheld), how many
    rings reached the modem, and how it ended ("ringing" while it still rings)."""

    number: str | None
    rings: int = 0
    outcome: str = "ringing"  # then "answered", "rejected" or "missed"
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "rings": self.rings,
            "outcome": self.outcome,
            "started_at": self.started_at.isoformat(),
        }


CALL_OUTCOMES = ("answered", "rejected", "missed")
DEFAULT_USSD_REPLIES = {"*100#": "Solde: 12,34 EUR. Valable jusqu'au 31/12/2026."}


class SimulatedNetwork:
    def __init__(self, smsc: str = "+33609001390", operator: str = "Orange F"):
        self.smsc = smsc
        # The operator's names as AT+COPS gives them: long, short and numeric (MCC MNC).
        self.operator = operator
        self.operator_short = "Orange"
        self.operator_code = "20801"
        self.signal = 21
        self.registration = HOME_REGISTERED
        self.report_delay = 1.0
        self.report_outcome = "delivered"
        # What the operator answers to each USSD code; unknown codes are refused.
        self.ussd_replies: dict[str, str] = dict(DEFAULT_USSD_REPLIES)
        self._lock = threading.Lock()
        self._submitted: list[SubmittedSms] = []
        self._parts_taken: list[str] = []
        self._incomplete: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self._listeners: list[Callable[[SubmittedSms], None]] = []
        self._calls: list[CallRecord] = []
        self._reference = 0

    @property
    def registered(self) -> bool:
        """+CREG <stat> 1 (home) or 5 (roaming): the network takes SMS and calls."""
        return self.registration in REGISTERED

    def on_submit(self, listener: Callable[[SubmittedSms], None]) -> None:
        """Call `listener` with each complete message the box sends."""
        self._listeners.append(listener)

    def submit(self, pdu_hex: str) -> Submission:
        """Take one SMS-SUBMIT (SMSC address first). Raises ValueError on a bad PDU."""
        decoded = pdus.decode(pdu_hex)
        if decoded["Type"] not in ("Submit", "Status_Report"):
            raise ValueError(f"not an SMS-SUBMIT: {decoded['Type']}")
        # TP-SRR is bit 5 of the TPDU's first octet; python-gammu folds it into the
        # message type when decoding.
        wants_report = bool(pdus.split_smsc(bytes.fromhex(pdu_hex))[1][0] & 0x20)
        with self._lock:
            self._reference = (self._reference + 1) % 256
            self._parts_taken.append(pdu_hex.upper())
            submission = Submission(
                self._reference, decoded["Number"], wants_report, datetime.now(UTC)
            )
            complete = self._collect(decoded, pdu_hex, submission)
            if complete is not None:
                complete.status_report = wants_report
                complete.message_class = decoded["Class"]
                complete.validity = decoded["SMSC"].get("Validity", "NA")
                self._submitted.append(complete)
        if complete is not None:
            for listener in self._listeners:
                listener(complete)
        return submission

    def _collect(self, decoded: dict, pdu_hex: str, submission: Submission) -> SubmittedSms | None:
        concatenated = pdus.concatenation(decoded)
        if concatenated is None:
            return SubmittedSms(
                decoded["Number"], decoded["Text"], [pdu_hex], [submission.reference]
            )
        reference, _, total_parts = concatenated
        key = (decoded["Number"], reference)
        parts = self._incomplete.setdefault(key, [])
        parts.append((submission.reference, pdu_hex))
        if len(parts) < total_parts:
            return None
        del self._incomplete[key]
        hexes = [part for _, part in parts]
        return SubmittedSms(
            decoded["Number"], pdus.join_text(hexes), hexes, [ref for ref, _ in parts]
        )

    def submitted(self) -> list[SubmittedSms]:
        with self._lock:
            return list(self._submitted)

    def parts_taken(self) -> list[str]:
        """Every SMS-SUBMIT PDU the network accepted, parts of unfinished messages too."""
        with self._lock:
            return list(self._parts_taken)

    def record_call(self, number: str | None) -> CallRecord:
        """A new incoming call; the simulated modem updates it with `update_call`."""
        record = CallRecord(number)
        with self._lock:
            self._calls.append(record)
        return record

    def update_call(
        self, record: CallRecord, *, rings: int | None = None, outcome: str | None = None
    ) -> None:
        if outcome is not None and outcome not in CALL_OUTCOMES:
            raise ValueError(f"call outcome must be one of {', '.join(CALL_OUTCOMES)}")
        with self._lock:
            if rings is not None:
                record.rings = rings
            if outcome is not None:
                record.outcome = outcome

    def calls(self) -> list[CallRecord]:
        """Every call so far, oldest first (copies: they don't change under you)."""
        with self._lock:
            return [replace(record) for record in self._calls]

    def deliver_pdus(self, sender: str, text: str, *, message_class: int = -1) -> list[str]:
        return pdu_encoding.encode_deliver(
            sender, text, smsc=self.smsc, sent_at=datetime.now(UTC), message_class=message_class
        )

    def status_report(self, submission: Submission) -> str:
        """The SMS-STATUS-REPORT for a part, with the configured outcome."""
        return pdu_encoding.encode_status_report(
            submission.reference,
            submission.recipient,
            smsc=self.smsc,
            submitted_at=submission.submitted_at,
            status=REPORT_OUTCOMES[self.report_outcome],
        )
