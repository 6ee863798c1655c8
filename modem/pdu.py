"""SMS PDUs read through python-gammu: checking, decoding and joining long messages.

Everything GSM-7/UCS-2 and UDH is python-gammu's job; this module only adapts
its dictionaries to what the AT driver, the inbox and the simulator need. Making
PDUs is `modem.pdu_encoding`'s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import gammu

# The longest PDU AT commands carry: the SMSC address (a length octet and up to 11
# more, 3GPP TS 24.011 §8.2.5.1) then the longest TPDU, an SMS-SUBMIT of 164 octets
# (3GPP TS 23.040 §9.2.2.2).
MAX_SMSC_OCTETS = 11
MAX_PDU_OCTETS = 1 + MAX_SMSC_OCTETS + 164
_HEX_DIGITS = re.compile(r"[0-9A-Fa-f]+")
# python-gammu joins at most GSM_MAX_MULTI_SMS parts (gammu-limits.h).
MAX_JOINED_PARTS = 50
# The headers after which a part holds plain text: for these alone python-gammu's
# DecodeSMS only strings the parts' texts together (others have it parse their data).
PLAIN_CONCATENATION = ("ConcatenatedMessages", "ConcatenatedMessages16bit")


class PduError(ValueError):
    """Hex that is no PDU python-gammu can read, or parts that make no message: the one
    error reading PDUs raises."""


@dataclass(frozen=True)
class ReceivedPart:
    """One SMS as read from a modem's storage: what the inbox stores and groups."""

    pdu: str
    sender: str
    concat_ref: int | None = None
    part_number: int = 1
    total_parts: int = 1


def split_smsc(raw: bytes) -> tuple[bytes, bytes]:
    """(SMSC address, TPDU) of a PDU as AT commands carry it, SMSC address first."""
    return raw[: 1 + raw[0]], raw[1 + raw[0] :]


def pdu_octets(pdu_hex: str) -> bytes:
    """The octets of a PDU as AT commands carry it, SMSC address first.

    Checked before any library sees them: PduError says what makes them no PDU.
    """
    if not pdu_hex:
        raise PduError("empty PDU")
    if len(pdu_hex) > 2 * MAX_PDU_OCTETS:
        raise PduError(
            f"PDU of {len(pdu_hex) // 2} octets: longer than any SMS PDU ({MAX_PDU_OCTETS})"
        )
    if not _HEX_DIGITS.fullmatch(pdu_hex):
        raise PduError(f"PDU is not hex: {pdu_hex[:40]!r}")
    if len(pdu_hex) % 2:
        raise PduError("PDU has an odd number of hex digits")
    raw = bytes.fromhex(pdu_hex)
    if raw[0] > MAX_SMSC_OCTETS:
        raise PduError(f"SMSC address of {raw[0]} octets: longer than any ({MAX_SMSC_OCTETS})")
    if 1 + raw[0] >= len(raw):
        raise PduError(f"PDU of {len(raw)} octets has no TPDU after its SMSC address")
    return raw


def tpdu_length(pdu_hex: str) -> int:
    """The length AT+CMGS announces and AT+CMGR/CMGL report: the TPDU's, in octets."""
    return len(split_smsc(pdu_octets(pdu_hex))[1])


def clean_text(decoded: dict) -> str:
    text = decoded["Text"] or ""
    if isinstance(text, bytes):
        # 8-bit data has no alphabet: one character per octet, as DecodeSMS joins them.
        text = text.decode("latin-1")
    if decoded["Coding"] == "Default_No_Compression":
        # python-gammu sizes GSM-7 text by septets, so escaped characters (€, [, {)
        # leave NULs and stray memory after the real end; GSM-7 has no NUL of its own.
        text = text.split("\x00", 1)[0]
    # No alphabet makes a NUL a character, and PostgreSQL cannot store one.
    return text.replace("\x00", "")


def libgammu_reason(error: Exception) -> str:
    """libgammu's own words for an error python-gammu raised."""
    detail = error.args[0] if error.args else None
    return detail.get("Text", str(error)) if isinstance(detail, dict) else str(error)


def decode(pdu_hex: str) -> dict:
    """python-gammu's SMS dictionary for a PDU (SMSC address first), its text a clean str.

    Raises PduError for anything else than a PDU python-gammu reads.
    """
    raw = pdu_octets(pdu_hex)
    try:
        decoded = gammu.DecodePDU(raw, SMSC=True)
    # python-gammu raises ValueError where it cannot convert what libgammu decoded.
    except (gammu.GSMError, ValueError) as error:
        raise PduError(f"undecodable PDU: {libgammu_reason(error)}") from error
    decoded["Text"] = clean_text(decoded)
    return decoded


def received_part(pdu_hex: str) -> ReceivedPart:
    """What the inbox needs to store and group a PDU read from a modem (SMSC included).

    Raises PduError for anything else than a PDU python-gammu reads.
    """
    return part_from(decode(pdu_hex), pdu_hex)


def part_from(decoded: dict, pdu_hex: str) -> ReceivedPart:
    """received_part, once python-gammu has decoded the PDU."""
    concatenated = concatenation(decoded)
    if concatenated is None:
        return ReceivedPart(pdu=pdu_hex.upper(), sender=decoded["Number"])
    reference, part_number, total_parts = concatenated
    return ReceivedPart(
        pdu=pdu_hex.upper(),
        sender=decoded["Number"],
        concat_ref=reference,
        part_number=part_number,
        total_parts=total_parts,
    )


def concatenation(decoded: dict) -> tuple[int, int, int] | None:
    """(reference, part number, parts) of a part of a long message; None for one SMS."""
    udh = decoded["UDH"]
    if udh["Type"] == "NoUDH" or udh["AllParts"] <= 1:
        return None
    reference = udh["ID16bit"] if udh["ID16bit"] != -1 else udh["ID8bit"]
    return reference, udh["PartNumber"], udh["AllParts"]


def in_part_order(parts: Iterable[tuple[int, int, str]]) -> list[str]:
    """The PDUs of one long message in part order, from (part number, parts, PDU).

    Raises PduError unless they are numbered 1 to their number of parts, each number
    once: the same PDU twice counts once, two different ones under one number leave
    no way to tell which belongs.
    """
    by_number: dict[int, set[str]] = defaultdict(set)
    totals = set()
    for number, total, pdu in parts:
        by_number[number].add(pdu.upper())
        totals.add(total)
    if len(totals) != 1:
        raise PduError(f"parts of different messages (of {sorted(totals)} parts)")
    (total,) = totals
    outside = sorted(number for number in by_number if not 1 <= number <= total)
    if outside:
        raise PduError(f"part {outside[0]} of {total} cannot exist")
    if total > MAX_JOINED_PARTS:
        raise PduError(f"{total} parts, more than the {MAX_JOINED_PARTS} python-gammu joins")
    missing = [number for number in range(1, total + 1) if number not in by_number]
    if missing:
        raise PduError(f"part {missing[0]} of {total} is missing")
    ambiguous = [number for number, pdus in sorted(by_number.items()) if len(pdus) > 1]
    if ambiguous:
        raise PduError(f"{len(by_number[ambiguous[0]])} different parts numbered {ambiguous[0]}")
    return [by_number[number].pop() for number in range(1, total + 1)]


def join_text(pdus: list[str]) -> str:
    """The text of one message from all its parts' PDUs, in any order; the same PDU
    twice counts once.

    Raises PduError when a PDU does not decode or the parts make no single message.
    Checked here, before python-gammu, because its LinkSMS loops forever (holding the
    GIL) on a part numbered 0: it is never called; the parts are put in order here and
    only a checked, ordered list reaches DecodeSMS.
    """
    decoded = {pdu.upper(): decode(pdu) for pdu in pdus}
    headers = {pdu: concatenation(sms) for pdu, sms in decoded.items()}
    if len(decoded) == 1 and None in headers.values():
        return next(iter(decoded.values()))["Text"]
    if None in headers.values():
        raise PduError(f"a single SMS among {len(decoded)} different PDUs")
    senders = {sms["Number"] for sms in decoded.values()}
    messages = {(reference, total) for reference, _, total in headers.values()}
    if len(senders) > 1 or len(messages) > 1:
        raise PduError("parts of different messages")
    order = in_part_order((number, total, pdu) for pdu, (_, number, total) in headers.items())
    parts = [decoded[pdu] for pdu in order]
    plain = all(part["UDH"]["Type"] in PLAIN_CONCATENATION for part in parts)
    joined = gammu.DecodeSMS(parts) if plain else None
    if joined is None:
        return "".join(part["Text"] for part in parts)
    return "".join(entry["Buffer"] or "" for entry in joined["Entries"])


MISSING_PART = "[part {number} of {total} missing]"


def recovered_text(pdus: list[str]) -> str:
    """What text can be read from parts that do not join: each part's own, in part
    number order, the same PDU once, unreadable ones left out, and a marker in the
    place of each part missing from a message whose parts agree on their number.
    Never raises."""
    readable = []
    totals = set()
    for pdu in dict.fromkeys(pdu.upper() for pdu in pdus):
        try:
            sms = decode(pdu)
        except PduError:
            continue
        header = concatenation(sms)
        readable.append((header[1] if header else 0, sms["Text"]))
        totals.add(header[2] if header else 1)
    total = totals.pop() if len(totals) == 1 else 0
    if total and all(1 <= number <= total for number, _ in readable):
        present = {number for number, _ in readable}
        readable += [
            (number, MISSING_PART.format(number=number, total=total))
            for number in range(1, min(total, MAX_JOINED_PARTS) + 1)
            if number not in present
        ]
    return "".join(text for _, text in sorted(readable, key=lambda numbered: numbered[0]))
