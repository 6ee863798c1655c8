"""Hostile SMS-DELIVER PDUs: a real part whose concatenation part number is changed.

Pure byte work on what `modem.pdu.encode_deliver` returns (SMSC address first),
following 3GPP TS 23.040 §9.2.2.1 (SMS-DELIVER) and §9.2.3.24.1 (concatenation).
"""

from __future__ import annotations

TP_UDHI = 0x40
ADDRESS_TYPE_OCTETS = 1
PID_DCS_OCTETS = 2
TIMESTAMP_OCTETS = 7
CONCAT_8BIT, CONCAT_16BIT = 0x00, 0x08
# Offset of the part number inside each concatenation element's data.
PART_NUMBER_OFFSET = {CONCAT_8BIT: 2, CONCAT_16BIT: 3}


def with_part_number(pdu_hex: str, part_number: int) -> str:
    """The same PDU claiming to be part `part_number` (0 to 255) of its message."""
    raw = bytearray(bytes.fromhex(pdu_hex))
    tpdu = 1 + raw[0]  # after the SMSC address
    if not raw[tpdu] & TP_UDHI:
        raise ValueError("the PDU has no user data header: not a part of a long message")
    address_digits = raw[tpdu + 1]
    user_data_length_at = (
        tpdu
        + 2
        + ADDRESS_TYPE_OCTETS
        + (address_digits + 1) // 2
        + PID_DCS_OCTETS
        + TIMESTAMP_OCTETS
    )
    header_length_at = user_data_length_at + 1
    element = header_length_at + 1
    header_end = element + raw[header_length_at]
    while element < header_end:
        identifier, length = raw[element], raw[element + 1]
        if identifier in PART_NUMBER_OFFSET:
            raw[element + 2 + PART_NUMBER_OFFSET[identifier]] = part_number
            return raw.hex().upper()
        element += 2 + length
    raise ValueError("the user data header has no concatenation element")
