"""The simulated network: what the box submitted, and what it should receive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from modem import pdu as pdus


@dataclass
class SubmittedSms:
    """A message as the network saw it, long messages joined from their parts."""

    recipient: str
    text: str
    parts: list[str] = field(default_factory=list)
    references: list[int] = field(default_factory=list)
    status_report: bool = False
    message_class: int = -1
    submitted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict:
        return {
            "recipient": self.recipient,
            "text": self.text,
            "parts": len(self.parts),
            "references": self.references,
            "status_report": self.status_report,
            "class": self.message_class,
            "submitted_at": self.submitted_at.isoformat(),
        }


class SimulatedNetwork:
    def __init__(self, smsc: str = "+33609001390"):
        self.smsc = smsc
        self._lock = threading.Lock()
        self._submitted: list[SubmittedSms] = []
        self._incomplete: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self._listeners: list[Callable[[SubmittedSms], None]] = []
        self._reference = 0

    def on_submit(self, listener: Callable[[SubmittedSms], None]) -> None:
        """Call `listener` with each complete message the box sends."""
        self._listeners.append(listener)

    def submit(self, pdu_hex: str) -> int:
        """Take one part from the modem; returns its TP-MR. Raises ValueError on a bad PDU."""
        decoded = pdus.decode(pdu_hex, with_smsc=True)
        if decoded["Type"] not in ("Submit", "Status_Report"):
            raise ValueError(f"not an SMS-SUBMIT: {decoded['Type']}")
        # TP-SRR is bit 5 of the first octet after the SMSC address.
        first_octet = bytes.fromhex(pdu_hex)[1 + bytes.fromhex(pdu_hex)[0]]
        with self._lock:
            self._reference = (self._reference + 1) % 256
            reference = self._reference
            udh = decoded["UDH"]
            complete: SubmittedSms | None = None
            if udh["Type"] == "NoUDH" or udh["AllParts"] <= 1:
                complete = SubmittedSms(decoded["Number"], decoded["Text"], [pdu_hex], [reference])
            else:
                ident = udh["ID16bit"] if udh["ID16bit"] != -1 else udh["ID8bit"]
                key = (decoded["Number"], ident)
                parts = self._incomplete.setdefault(key, [])
                parts.append((reference, pdu_hex))
                if len(parts) == udh["AllParts"]:
                    del self._incomplete[key]
                    hexes = [part for _, part in parts]
                    complete = SubmittedSms(
                        decoded["Number"],
                        pdus.join_text(hexes),
                        hexes,
                        [ref for ref, _ in parts],
                    )
            if complete is not None:
                complete.status_report = bool(first_octet & 0x20)
                complete.message_class = decoded["Class"]
                self._submitted.append(complete)
        if complete is not None:
            for listener in self._listeners:
                listener(complete)
        return reference

    def submitted(self) -> list[SubmittedSms]:
        with self._lock:
            return list(self._submitted)

    def deliver_pdus(self, sender: str, text: str) -> list[str]:
        return pdus.encode_deliver(sender, text, smsc=self.smsc, sent_at=datetime.now(UTC))
