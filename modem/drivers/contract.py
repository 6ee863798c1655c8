"""What the daemon asks of a modem, whichever driver speaks to it.

Drivers say it in the daemon's terms: a number and a text become parts to store
then submit, the modem's news comes as typed events, stored SMS are read and
deleted by slot. Nothing here knows AT commands or python-gammu's dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class DriverSettings:
    """One `[[modem]]` section, as a driver needs it."""

    device: str
    baudrate: int = 115200
    pin: str = ""
    # Whether the modem may ask for delivery reports at all.
    status_reports: bool = True


@dataclass(frozen=True)
class PduRequest:
    """What each new SMS asks of the network, as the account's settings say."""

    # How long the network keeps trying to deliver it; None: as long as it keeps any.
    validity_hours: int | None = None
    # A delivery report, when the modem's `status_reports` allows it too.
    delivery_report: bool = True


@dataclass(frozen=True)
class StoredSms:
    """One SMS in the modem's storage: the PDU as the network delivered it."""

    index: int
    status: int
    pdu: str
    # With the index, the slot the message sits in (AT+CPMS <mem1> for the AT driver).
    storage: str = "SM"


@dataclass(frozen=True)
class NewMessage:
    storage: str
    index: int


@dataclass(frozen=True)
class Restarted:
    """The modem said it powered up: its settings are back to factory values."""

    line: str


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
    """What the network says became of the part it gave `reference` (TP-MR)."""

    reference: int
    recipient: str
    status: int
    # When the service centre delivered it, or gave up.
    discharged_at: datetime

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.status)


@dataclass(frozen=True)
class IncomingCall:
    """A call that started ringing at `started_at`; `number` as the network gave it,
    None when withheld or unknown."""

    started_at: datetime
    number: str | None
    rings: int


@dataclass(frozen=True)
class CallRang:
    """The call that started at `started_at` has now rung `rings` times; `number` as
    the network gave it, None when withheld or unknown."""

    started_at: datetime
    rings: int
    number: str | None = None


@dataclass(frozen=True)
class ModemStatus:
    """What a modem says of itself, for staff: None where it does not say."""

    # 0 (-113 dBm or less) to 31 (-51 dBm or more), as 3GPP TS 27.007 +CSQ counts.
    signal: int | None = None
    # "home", "roaming", "searching", "denied", "unregistered" or "unknown".
    registration: str | None = None
    operator: str | None = None
    storage_used: int | None = None
    storage_total: int | None = None
    imei: str | None = None
    imsi: str | None = None
    iccid: str | None = None
    own_number: str | None = None


ModemEvent = NewMessage | Restarted | StatusReport | IncomingCall | CallRang
# What a driver calls back at a given moment of a submission (`ModemDriver.submit`).
Hook = Callable[[], None]


def no_hook() -> None:
    pass


class ModemDriver(Protocol):
    # Set when the configured PIN was refused before: it must not be sent again.
    pin_refused: bool
    # False when the modem will not announce new SMS: the worker then polls its storage
    # every few seconds instead of relying on announcements.
    announces_new_messages: bool

    def connect(self) -> None: ...
    def reinitialise(self) -> None: ...
    def settings_lost(self) -> bool: ...
    def close(self) -> None: ...
    def split(self, number: str, text: str, request: PduRequest) -> list[str]:
        """The parts that carry `text` to `number` as `request` asks, to store before
        the first is sent: a part resent later keeps the concatenation reference of
        its siblings. ValueError when the text or number cannot be sent at all."""
        ...

    def submit(self, part: str, before_handover: Hook, meanwhile: Hook = no_hook) -> int | None:
        """Send one part from `split`; its message reference (TP-MR) when known.
        `before_handover` runs before any of the part is written, as late as the
        driver can while still overlapping the modem's own work (the AT driver: while
        the modem answers AT+CMGS with its prompt). Raised after that call, NoAnswer
        still means that nothing of the part was written; a lost answer once it was
        raises SubmitOutcomeUnknown. `meanwhile` runs once the part is written, while
        the modem and the network take it, where the driver can wait for that (the
        caller prepares its next part then)."""
        ...

    def stored_messages(self) -> list[StoredSms]: ...
    def read_message(self, index: int) -> StoredSms | None: ...
    def delete_message(self, index: int) -> None: ...
    def status(self) -> ModemStatus:
        """What the modem says of itself now; what it does not say stays None."""
        ...

    def hang_up(self) -> None:
        """End the call that rings (the caller hears it rejected)."""
        ...

    def events(self, timeout: float) -> list[ModemEvent]: ...
    def wake(self) -> None:
        """From another thread: the current or the next `events` returns without
        waiting (something was queued)."""
        ...
