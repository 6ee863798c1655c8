"""SMS PDUs made through python-gammu: the SMS-SUBMITs the AT driver hands a modem,
and the SMS-DELIVERs and status reports the simulated network hands it.

Everything GSM-7/UCS-2 and UDH is python-gammu's job; this module only fills its
dictionaries. Reading PDUs is `modem.pdu`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import gammu

from modem.encoding_thread import encode_sms
from modem.pdu import clean_text, libgammu_reason, split_smsc

# python-gammu's entries for a long text: parts joined by an 8-bit or a 16-bit
# reference (3GPP TS 23.040 §9.2.3.24.1 and §9.2.3.24.8).
LONG_TEXT = {False: "ConcatenatedTextLong", True: "ConcatenatedTextLong16bit"}

SMS_STATUS_REPORT = 0x06  # TP-MTI 10, TP-MMS set: 3GPP TS 23.040 §9.2.2.3


@dataclass(frozen=True)
class SubmitPdu:
    """One part ready for AT+CMGS: the hex to send and the length the command announces."""

    hex: str
    tpdu_length: int


def encode_submit(
    number: str, text: str, *, status_report: bool = True, validity_hours: int | None = None
) -> list[SubmitPdu]:
    """PDUs for AT+CMGS, one per part, using the SIM's default SMSC. The network
    gives up delivering after `validity_hours` (None: as long as it keeps any).

    Raises ValueError for what no SMS can carry (python-gammu's own error inside).
    """
    # python-gammu turns "48H" into the relative TP-VP octet (3GPP TS 23.040 §9.2.3.12.1).
    validity = "Max" if validity_hours is None else f"{validity_hours}H"
    try:
        return _encode_submit(number, text, status_report, validity)
    except gammu.GSMError as error:
        raise ValueError(f"cannot encode an SMS to {number}: {libgammu_reason(error)}") from error


def _encode_submit(number: str, text: str, status_report: bool, validity: str) -> list[SubmitPdu]:
    alone = _encoded_alone(number, text, status_report, validity)
    if alone is not None:
        return [alone]
    return _encoded_split(number, text, status_report, validity)


def _encoded_split(number: str, text: str, status_report: bool, validity: str) -> list[SubmitPdu]:
    def submit(part: dict) -> bytes:
        return gammu.EncodePDU(_submit_part(part, number, status_report, validity), "Submit")

    return [_submit_pdu(raw) for raw in _encoded_parts(text, submit)]


def _encoded_alone(number: str, text: str, status_report: bool, validity: str) -> SubmitPdu | None:
    """The one part that carries `text` whole, as the split makes it: GSM-7 when that
    carries it unchanged, else UCS-2. None when it needs more parts, or when
    python-gammu refuses it for another reason (the split then says which).

    Most messages are one part, and python-gammu's EncodeSMS, which splits a text,
    cost 95 µs of a message's 123 (60 of them on its thread): EncodePDU of a part of
    python-gammu's own making with this text checks the length (ERR_INVALIDDATA
    beyond one part) and encodes it in 14 µs."""
    for coding in ("Default_No_Compression", "Unicode_No_Compression"):
        part = dict(_one_part(), Text=text, Coding=coding)
        try:
            raw = gammu.EncodePDU(_submit_part(part, number, status_report, validity), "Submit")
        # python-gammu's ValueError: a text longer than any SMS's buffer (650 units).
        except (gammu.GSMError, ValueError):
            return None
        # python-gammu silently transliterates what GSM-7 cannot carry.
        if coding != "Default_No_Compression" or _read_back([raw]) == text:
            return _submit_pdu(raw)
    return None


def _encoded_parts(
    text: str,
    encode: Callable[[dict], bytes],
    *,
    message_class: int = -1,
    wide_reference: bool = False,
) -> list[bytes]:
    """The PDUs (SMSC first) `encode` makes of python-gammu's parts for `text`: GSM-7
    when they carry the text unchanged (python-gammu silently transliterates what it
    cannot), else UCS-2. Read back as made: a check apart encoded each part twice."""
    gsm = [encode(part) for part in _split(text, False, message_class, wide_reference)]
    if _read_back(gsm) == text:
        return gsm
    return [encode(part) for part in _split(text, True, message_class, wide_reference)]


def _split(text: str, unicode: bool, message_class: int, wide_reference: bool) -> list[dict]:
    return encode_sms(
        {
            "Class": message_class,
            "Unicode": unicode,
            "Entries": [{"ID": LONG_TEXT[wide_reference], "Buffer": text}],
        }
    )


def _read_back(raw_pdus: list[bytes]) -> str:
    return "".join(clean_text(gammu.DecodePDU(raw, SMSC=True)) for raw in raw_pdus)


@cache
def _one_part() -> dict:
    """python-gammu's dictionary of a single-part SMS, its text to be replaced."""
    (part,) = _split("-", False, -1, False)
    return part


def _submit_part(part: dict, number: str, status_report: bool, validity: str) -> dict:
    """`part` to `number`, through the SIM's default SMSC."""
    part["Number"] = number
    part["SMSC"] = {"Location": 0, "Validity": validity}
    # python-gammu sets TP-SRR (ask for a status report) from this type.
    part["Type"] = "Status_Report" if status_report else "Submit"
    return part


def _submit_pdu(raw: bytes) -> SubmitPdu:
    # python-gammu always writes an SMSC address; a zero length instead tells the modem
    # to use the one stored on the SIM.
    tpdu = split_smsc(raw)[1]
    return SubmitPdu(hex=("00" + tpdu.hex()).upper(), tpdu_length=len(tpdu))


def encode_deliver(
    sender: str,
    text: str,
    *,
    smsc: str,
    sent_at: datetime,
    message_class: int = -1,
    wide_reference: bool = False,
) -> list[str]:
    """PDUs as the network hands them to a modem (SMSC included), one per part; the
    parts of a long text carry a 16-bit reference when `wide_reference` says so."""

    def deliver(part: dict) -> bytes:
        part.update(
            Type="Deliver",
            Number=sender,
            SMSC={"Location": 0, "Number": smsc},
            DateTime=sent_at,
            SMSCDateTime=sent_at,
        )
        return gammu.EncodePDU(part, "Deliver")

    raw_pdus = _encoded_parts(
        text, deliver, message_class=message_class, wide_reference=wide_reference
    )
    return [raw.hex().upper() for raw in raw_pdus]


def encode_status_report(
    reference: int,
    recipient: str,
    *,
    smsc: str,
    submitted_at: datetime,
    status: int,
    discharged_at: datetime | None = None,
) -> str:
    """An SMS-STATUS-REPORT PDU (SMSC included), as the network sends for a TP-MR.

    python-gammu decodes these but cannot encode them, so the report is put
    together from pieces python-gammu did encode: the address and the two time
    stamps are taken from SMS-DELIVER PDUs, whose fields have the same format.
    """

    def deliver_fields(moment: datetime) -> tuple[bytes, bytes, bytes]:
        raw = bytes.fromhex(encode_deliver(recipient, " ", smsc=smsc, sent_at=moment)[0])
        smsc_address, tpdu = split_smsc(raw)
        address_end = 1 + 2 + (tpdu[1] + 1) // 2  # length octet, type, BCD digits
        timestamp_start = address_end + 2  # after TP-PID and TP-DCS
        return smsc_address, tpdu[1:address_end], tpdu[timestamp_start : timestamp_start + 7]

    smsc_address, address, service_centre_time = deliver_fields(submitted_at)
    discharge_time = deliver_fields(discharged_at or datetime.now(submitted_at.tzinfo))[2]
    report = (
        smsc_address
        + bytes([SMS_STATUS_REPORT, reference % 256])
        + address
        + service_centre_time
        + discharge_time
        + bytes([status])
    )
    return report.hex().upper()
