from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modem.pdu import SubmitPdu, decode, encode_deliver, encode_submit, join_text, received_part

NUMBER = "+33612345678"
SMSC = "+33609001390"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EMOJI_TEXT = "Salut 👋 ! " + "Rendez-vous à 14 h 😀, n'oubliez pas les clés 🔑. " * 8

DCS_GSM7 = 0x00
DCS_UCS2 = 0x08
SRR_BIT = 0x20


def tpdu(part: SubmitPdu) -> bytes:
    raw = bytes.fromhex(part.hex)
    assert raw[0] == 0, "the SMSC length is 0: the modem uses the SIM's SMSC"
    return raw[1:]


def data_coding(part: SubmitPdu) -> int:
    """The TP-DCS octet of an SMS-SUBMIT (3GPP TS 23.040 §9.2.2.2)."""
    octets = tpdu(part)
    address_digits = octets[2]
    # first octet, TP-MR, address length, type of address, address, TP-PID, then TP-DCS
    return octets[4 + (address_digits + 1) // 2 + 1]


@pytest.mark.parametrize(
    ("text", "dcs"),
    [
        ("hello", DCS_GSM7),
        ("hi [x] {} @ €", DCS_GSM7),
        ("à bientôt? ù è é ñ ü ß", DCS_UCS2),  # ô is not in the GSM-7 alphabet
        ("Bonjour é ç €", DCS_UCS2),
        ("emoji 😀", DCS_UCS2),
    ],
)
def test_it_chooses_gsm7_only_when_it_carries_the_text_unchanged(text, dcs):
    (part,) = encode_submit(NUMBER, text)
    assert data_coding(part) == dcs
    assert join_text([part.hex]) == text


def test_it_splits_400_gsm_characters_into_three_parts():
    parts = encode_submit(NUMBER, "x" * 400)
    assert len(parts) == 3
    assert join_text([part.hex for part in parts]) == "x" * 400


def test_it_joins_a_long_text_with_emoji_exactly_in_any_part_order():
    parts = encode_submit(NUMBER, EMOJI_TEXT)
    assert len(parts) > 2
    hexes = [part.hex for part in parts]
    assert join_text(hexes) == EMOJI_TEXT
    assert join_text(hexes[::-1]) == EMOJI_TEXT


def test_it_joins_gsm7_escapes_split_across_parts():
    text = "a" * 152 + "€" + "[b]" * 20
    parts = encode_submit(NUMBER, text)
    assert len(parts) == 2
    assert join_text([part.hex for part in parts][::-1]) == text


@pytest.mark.parametrize("text", ["hello", "Bonjour é ç €", "x" * 400, EMOJI_TEXT])
def test_it_announces_the_tpdu_length_without_the_smsc_octet(text):
    for part in encode_submit(NUMBER, text):
        assert part.tpdu_length == len(tpdu(part))
        assert part.hex == part.hex.upper()


def test_it_asks_for_a_status_report_by_default():
    for part in encode_submit(NUMBER, "x" * 400):
        assert tpdu(part)[0] & SRR_BIT


def test_it_asks_for_no_status_report_when_told_not_to():
    (part,) = encode_submit(NUMBER, "hello", status_report=False)
    assert not tpdu(part)[0] & SRR_BIT


def test_it_addresses_the_submit_to_the_recipient():
    (part,) = encode_submit(NUMBER, "hello")
    assert decode(part.hex)["Number"] == NUMBER


def test_it_reads_the_sender_of_a_single_delivered_sms():
    (pdu,) = encode_deliver(NUMBER, "Bonjour é ç €", smsc=SMSC, sent_at=SENT_AT)
    part = received_part(pdu)
    assert part.sender == NUMBER
    assert (part.concat_ref, part.part_number, part.total_parts) == (None, 1, 1)
    assert join_text([pdu]) == "Bonjour é ç €"


def test_it_reads_the_concatenation_header_of_delivered_parts():
    pdus = encode_deliver(NUMBER, "y" * 400, smsc=SMSC, sent_at=SENT_AT)
    parts = [received_part(pdu) for pdu in pdus]
    assert [part.part_number for part in parts] == [1, 2, 3]
    assert {part.total_parts for part in parts} == {3}
    assert {part.sender for part in parts} == {NUMBER}
    (reference,) = {part.concat_ref for part in parts}
    assert reference is not None
    assert join_text(pdus[::-1]) == "y" * 400


def test_it_keeps_an_alphanumeric_sender():
    (pdu,) = encode_deliver("ORANGE", "hello", smsc=SMSC, sent_at=SENT_AT)
    assert received_part(pdu).sender == "ORANGE"
