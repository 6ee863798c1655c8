from __future__ import annotations

from datetime import UTC, datetime

import gammu
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modem import pdu_encoding
from modem.pdu import PduError, decode, join_text, received_part, tpdu_length
from modem.pdu_encoding import SubmitPdu, encode_deliver, encode_submit

NUMBER = "+33612345678"
SMSC = "+33609001390"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SMSC_FIELD = "07913306091093F0"  # +33609001390, as a PDU starts
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


# Around one part's limits, in every alphabet a message mixes: GSM-7, its extension
# table (two septets each), letters GSM-7 lacks, astral emoji (two UCS-2 units each).
# No lone surrogate: no database stores one, so no message to send holds one.
SMS_CHARACTERS = st.sampled_from("aZ09 @£$èéùÇØåΔ_ΦΩ^{}\\[~]|€ôàçœął—“😀👋\n\r") | st.characters(
    exclude_categories=["Cs"]
)


@settings(max_examples=400)
@given(
    st.text(SMS_CHARACTERS, max_size=170),
    st.booleans(),
    st.sampled_from(["Max", "48H"]),
)
def test_a_text_that_one_part_carries_is_encoded_as_the_split_encodes_it(
    text, status_report, validity
):
    alone = pdu_encoding._encoded_alone(NUMBER, text, status_report, validity)
    try:
        split = pdu_encoding._encoded_split(NUMBER, text, status_report, validity)
    except gammu.GSMError:
        split = []
    if alone is None:
        assert len(split) != 1
    else:
        assert split == [alone]


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


# -- hostile PDUs: a value or a PduError, never anything else ---------------------------------


@pytest.mark.parametrize(
    "pdu",
    [
        "",
        "zz",
        "0",
        "07913306091093",  # cut inside its SMSC address
        SMSC_FIELD + "FF" * 10,  # python-gammu: ERR_UNKNOWN
        SMSC_FIELD + "000000",  # python-gammu: ERR_CORRUPTED
        # A status report discharged on day 0: python-gammu raises a bare ValueError.
        SMSC_FIELD + "0200000000200000000000000000000000000000000000",
        "00" * 400,
    ],
)
def test_it_raises_its_own_error_for_what_is_no_pdu(pdu):
    for read in (decode, received_part):
        with pytest.raises(PduError):
            read(pdu)


@pytest.mark.parametrize(
    "pdu",
    [
        "",
        "zz",
        "07913306091093",
        "07" + "00" * 7,
        "0C" + "00" * 30,  # an SMSC address of 12 octets, one more than any
    ],
)
def test_it_raises_its_own_error_for_the_length_of_what_is_no_pdu(pdu):
    with pytest.raises(PduError):
        tpdu_length(pdu)


def test_it_reads_8_bit_data_as_text_without_nul():
    # SMS-DELIVER from +33612345678, TP-DCS 04 (8-bit data), three octets: 00 FF 41.
    pdu = SMSC_FIELD + "040B913316325476F8000442501000000000" + "03" + "00FF41"
    assert decode(pdu)["Text"] == "ÿA"
    assert join_text([pdu]) == "ÿA"


REAL_PDUS = [
    *encode_deliver(NUMBER, "Bonjour é ç €", smsc=SMSC, sent_at=SENT_AT),
    *encode_deliver(NUMBER, "x" * 400, smsc=SMSC, sent_at=SENT_AT),
    *encode_deliver("ORANGE", EMOJI_TEXT, smsc=SMSC, sent_at=SENT_AT),
    *(part.hex for part in encode_submit(NUMBER, "hi [x] {} @ €" * 20)),
]


@st.composite
def mutated_pdus(draw) -> str:
    """A real PDU with a few octets changed, inserted or cut."""
    raw = bytearray(bytes.fromhex(draw(st.sampled_from(REAL_PDUS))))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(raw)))
        octet = draw(st.integers(0, 255))
        change = draw(st.sampled_from(["replace", "insert", "cut"]))
        if change == "replace" and position < len(raw):
            raw[position] = octet
        elif change == "insert":
            raw.insert(position, octet)
        else:
            del raw[position:]
    return raw.hex().upper()


# python-gammu's DecodePDU is safe to call in-process on any octets: 600,000 random and
# mutated PDUs, run in a subprocess under `timeout` while writing this, all returned or
# raised gammu.GSMError.
HEXES = mutated_pdus() | st.binary(max_size=200).map(bytes.hex) | st.text(max_size=40)


@given(HEXES)
def test_it_decodes_any_hex_to_a_clean_text_or_a_pdu_error(pdu):
    try:
        decoded = decode(pdu)
    except PduError:
        decoded = None
    if decoded is not None:
        assert isinstance(decoded["Text"], str)
        assert "\x00" not in decoded["Text"]
        assert tpdu_length(pdu) > 0
    try:
        part = received_part(pdu)
    except PduError:
        assert decoded is None
    else:
        assert part.pdu == pdu.upper()
        assert isinstance(part.sender, str)
