"""Hostile SMS-DELIVER PDUs, as a broken phone or an attacker would send them: a
real part of a long message whose concatenation header says something else.

Pure byte work on what `modem.pdu_encoding.encode_deliver` returns (SMSC address first),
following 3GPP TS 23.040 §9.2.2.1 (SMS-DELIVER) and §9.2.3.24.1 (concatenation).
"""

from __future__ import annotations

TP_UDHI = 0x40
ADDRESS_TYPE_OCTETS = 1
PID_DCS_OCTETS = 2
TIMESTAMP_OCTETS = 7
CONCAT_8BIT, CONCAT_16BIT = 0x00, 0x08
# Octets of the reference in each concatenation element's data; the number of
# parts and the part's number follow it, one octet each.
REFERENCE_OCTETS = {CONCAT_8BIT: 1, CONCAT_16BIT: 2}


def with_concatenation(
    pdu_hex: str, *, number: int, total: int | None = None, reference: int | None = None
) -> str:
    """The same PDU claiming to be part `number` (0 to 255) of `total` parts of the
    message `reference` (unchanged when not given); the text stays as it was."""
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
        if identifier in REFERENCE_OCTETS:
            data = element + 2
            reference_octets = REFERENCE_OCTETS[identifier]
            if reference is not None:
                raw[data : data + reference_octets] = reference.to_bytes(reference_octets, "big")
            if total is not None:
                raw[data + reference_octets] = total
            raw[data + reference_octets + 1] = number
            return raw.hex().upper()
        element += 2 + length
    raise ValueError("the user data header has no concatenation element")
