"""What the SMS commands share: 27.005 error codes and how messages are written out."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from modem import pdu as pdus
from modem.sim import charset
from modem.sim.errors import cms
from modem.sim.state import MessageStatus, MessageStore, StoredMessage

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

# <err> of +CMS ERROR (TS 27.005 §3.2.5).
OPERATION_NOT_ALLOWED = 302
INVALID_PDU = 304
INVALID_TEXT = 305
INVALID_INDEX = 321
MEMORY_FULL = 322
UNKNOWN_ERROR = 500


def timestamp(moment: datetime | None) -> str:
    """'yy/MM/dd,hh:mm:ss+zz', zz in quarters of an hour, as text mode shows SCTS."""
    if moment is None:
        return ""
    offset = moment.utcoffset()
    quarters = int(offset.total_seconds() // 900) if offset else 0
    return moment.strftime("%y/%m/%d,%H:%M:%S") + f"{quarters:+03d}"


def readable(pdu_hex: str) -> dict:
    """The message in a PDU, for text mode to show. A CommandError (+CMS ERROR 500)
    when there is none: `smsbox sim deliver --pdu` hands the modem any octets."""
    try:
        return pdus.decode(pdu_hex)
    except pdus.PduError:
        raise cms(UNKNOWN_ERROR) from None


def text_data(engine: ModemEngine, decoded: dict) -> bytes:
    # 27.005 §3.1: UCS2 and 8-bit messages are shown in hex whatever +CSCS says.
    if decoded["Coding"] == "Default_No_Compression":
        return charset.encode(decoded["Text"], engine.settings.charset)
    return charset.encode(decoded["Text"], "UCS2")


def in_charset(engine: ModemEngine, number: str) -> str:
    """A number as the current AT+CSCS writes it (UCS2: in hex)."""
    return charset.encode(number, engine.settings.charset).decode("latin-1")


def with_data(header: str, data: str | bytes) -> bytes:
    """A header and its data line: one CR LF between them, not a framed line each."""
    raw = data.encode("latin-1") if isinstance(data, str) else data
    return header.encode("latin-1") + b"\r\n" + raw


def preferred_store(engine: ModemEngine, which: int) -> MessageStore:
    """<mem1> (read, delete), <mem2> (write, send) or <mem3> (receive) of AT+CPMS."""
    return engine.stores[engine.settings.storages[which]]


def entry(engine: ModemEngine, prefix: str, index: int | None, stored: StoredMessage) -> bytes:
    """One stored message, header and data, in the current mode (AT+CMGR, AT+CMGL)."""
    head = f"{prefix}: " + (f"{index}," if index is not None else "")
    if not engine.settings.text_mode:
        return with_data(f"{head}{int(stored.status)},,{pdus.tpdu_length(stored.pdu)}", stored.pdu)
    decoded = readable(stored.pdu)
    number = in_charset(engine, decoded["Number"] or "")
    when = timestamp(decoded.get("DateTime")) if stored.status <= MessageStatus.REC_READ else ""
    header = f'{head}"{stored.status.text}","{number}",,' + (f'"{when}"' if when else "")
    return with_data(header.rstrip(","), text_data(engine, decoded))
