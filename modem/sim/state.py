"""What a simulated modem remembers: settings, the SIM, and its message storages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class MessageStatus(IntEnum):
    """<stat> of 3GPP TS 27.005 §3.1, numeric in PDU mode."""

    REC_UNREAD = 0
    REC_READ = 1
    STO_UNSENT = 2
    STO_SENT = 3

    @property
    def text(self) -> str:
        """The text-mode form: 'REC UNREAD'."""
        return self.name.replace("_", " ")


@dataclass
class Settings:
    """What ATZ, AT&F and a reboot put back to factory values."""

    echo: bool = True
    verbose: bool = True
    cmee: int = 0
    text_mode: bool = False
    charset: str = "GSM"
    # <mode>,<mt>,<bm>,<ds>,<bfr>: all zero, so no +CMTI until a client asks.
    cnmi: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    creg: int = 0
    cgreg: int = 0
    # How AT+COPS? names the operator (TS 27.007 §7.3): 0 long, 1 short, 2 numeric.
    operator_format: int = 0
    # AT+CMMS <n> (TS 27.005 §3.5.6): 0 closes the relay link after each message.
    more_messages: int = 0
    clip: bool = False
    # AT+CRC: a call rings as +CRING: <type> instead of RING (3GPP TS 27.007 §6.11).
    crc: bool = False
    cusd: int = 0
    # Vendor status lines repeated by themselves (Huawei AT^CURC=1, on at power-on).
    periodic_urcs: bool = True
    # Huawei's AT^PORTSEL: the port unsolicited lines go to (one port simulated).
    urc_port: int = 0
    # Storages for reading/deleting, writing/sending, and receiving.
    storages: list[str] = field(default_factory=lambda: ["SM", "SM", "SM"])


@dataclass
class StoredMessage:
    status: MessageStatus
    pdu: str


class MessageStore:
    def __init__(self, name: str, capacity: int):
        self.name = name
        self.capacity = capacity
        self.messages: dict[int, StoredMessage] = {}
        # Set by the storage-full fault: no more room than what is used now.
        self.limit: int | None = None

    @property
    def room(self) -> int:
        return min(self.capacity, self.limit if self.limit is not None else self.capacity)

    @property
    def full(self) -> bool:
        return len(self.messages) >= self.room

    def add(self, status: MessageStatus, pdu: str) -> int | None:
        """The index the message went to, or None when full."""
        if self.full:
            return None
        index = next(i for i in range(1, self.capacity + 1) if i not in self.messages)
        self.messages[index] = StoredMessage(status, pdu)
        return index


@dataclass
class Sim:
    """A SIM card: it keeps its PIN state and its SMSC across modem reboots."""

    pin: str = ""
    puk: str = "12345678"
    pin_retries: int = 3
    puk_retries: int = 10
    unlocked: bool = False
    iccid: str = "8933150319000000001"
    imsi: str = "208150000000001"
    smsc: str = "+33609001390"
    # The SIM's own number (MSISDN) as AT+CNUM gives it; most SIMs keep none.
    own_number: str = ""

    @property
    def state(self) -> str:
        """What AT+CPIN? reports."""
        if self.pin_retries == 0:
            return "SIM PUK"
        if self.pin and not self.unlocked:
            return "SIM PIN"
        return "READY"
