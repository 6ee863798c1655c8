"""Hostile PDUs made from real ones, as a broken phone or an attacker would send them."""

from __future__ import annotations

UDHI = 0x40  # TP-UDHI: the user data starts with a header (3GPP TS 23.040 §9.2.3.23)
CONCATENATION_8BIT = b"\x05\x00\x03"  # UDHL 5, IE 00 (8-bit reference), IE length 3


def with_concatenation(pdu_hex: str, *, reference: int, total: int, number: int) -> str:
    """`pdu_hex`, a part of a long GSM-7 message as `modem.pdu.encode_deliver` makes it,
    with other values in its concatenation header.

    Such a part's user data starts with a 6-octet header: UDHL 05, IE 00, length 03,
    then the reference, the number of parts and this part's number (3GPP TS 23.040
    §9.2.3.24.1). Only those three octets change; the text stays as the network made it.
    """
    raw = bytearray(bytes.fromhex(pdu_hex))
    tpdu = 1 + raw[0]  # after the SMSC address
    address_octets = 2 + (raw[tpdu + 1] + 1) // 2  # digit count, type, BCD digits
    header = tpdu + 1 + address_octets + 1 + 1 + 7 + 1  # first octet, TP-OA, PID, DCS, SCTS, UDL
    assert raw[tpdu] & UDHI, "this PDU has no user data header"
    assert raw[header : header + 3] == CONCATENATION_8BIT, "not a part of a long GSM-7 message"
    raw[header + 3 : header + 6] = bytes([reference, total, number])
    return raw.hex().upper()
