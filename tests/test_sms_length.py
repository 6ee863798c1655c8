"""The length of a text as an SMS, as the send page's counter shows it: the same alphabet
and parts as the daemon's driver stores for it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modem.drivers.contract import DriverSettings, PduRequest
from modem.drivers.parts import split_into_pdus
from modem.pdu import decode
from smsbox.outbox import MAX_BODY_LENGTH, MessageRejected, check_body
from smsbox.sms_length import Alphabet, measure

GSM_BASIC = (
    "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" + "ABCXYZÄÖÑÜ§¿abcxyzäöñüà\n"
)
GSM_EXTENSION = "€[]{}^~\\|"
BEYOND_GSM = "çêâœ€😀й中"


@pytest.mark.parametrize(
    ("text", "alphabet", "units", "parts"),
    [
        ("Bonjour", Alphabet.GSM_7, 7, 1),
        ("Bonjour €", Alphabet.GSM_7, 10, 1),
        ("[]{}^~\\|€", Alphabet.GSM_7, 18, 1),
        ("Bonjour € 😀", Alphabet.UCS_2, 12, 1),
        ("a" * 160, Alphabet.GSM_7, 160, 1),
        ("a" * 161, Alphabet.GSM_7, 161, 2),
        ("€" * 80, Alphabet.GSM_7, 160, 1),
        ("€" * 81, Alphabet.GSM_7, 162, 2),
        ("a" * 306, Alphabet.GSM_7, 306, 2),
        ("a" * 307, Alphabet.GSM_7, 307, 3),
        ("é" * 160, Alphabet.GSM_7, 160, 1),
        ("ç", Alphabet.UCS_2, 1, 1),  # GSM 7-bit has Ç, not ç
        ("ê" * 70, Alphabet.UCS_2, 70, 1),
        ("ê" * 71, Alphabet.UCS_2, 71, 2),
        ("😀" * 35, Alphabet.UCS_2, 70, 1),
        ("😀" * 36, Alphabet.UCS_2, 72, 2),
    ],
)
def test_it_measures_a_text_in_the_alphabet_the_modem_sends(text, alphabet, units, parts):
    length = measure(text)
    assert (length.alphabet, length.units, length.parts) == (alphabet, units, parts)
    assert length.characters == len(text)
    assert not length.too_long


def test_it_says_a_text_over_the_limit_is_too_long_without_encoding_it():
    assert not measure("a" * MAX_BODY_LENGTH).too_long
    over = measure("a" * (MAX_BODY_LENGTH + 1))
    assert over.too_long
    assert over.characters == MAX_BODY_LENGTH + 1


def test_the_longest_text_allowed_stays_within_the_parts_phones_join():
    # 50 parts: what python-gammu (and most phones) join (modem.pdu.MAX_JOINED_PARTS).
    assert measure("😀" * MAX_BODY_LENGTH).parts <= 50


def acceptable(text: str) -> bool:
    try:
        check_body(text)
    except MessageRejected:
        return False
    return True


texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(GSM_BASIC),
        st.sampled_from(GSM_EXTENSION),
        st.sampled_from(BEYOND_GSM),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    ),
    min_size=1,
    max_size=400,
).filter(acceptable)
# Mostly GSM 7-bit, with escapes, around the part boundaries.
gsm_texts = st.text(
    alphabet=st.one_of(st.sampled_from(GSM_BASIC), st.sampled_from(GSM_EXTENSION)),
    min_size=140,
    max_size=480,
).filter(acceptable)


@given(st.one_of(texts, gsm_texts))
def test_its_parts_and_alphabet_are_those_the_driver_stores(text):
    pdus = split_into_pdus(DriverSettings(device="/dev/null"), "+33612345678", text, PduRequest())
    length = measure(text)
    assert length.parts == len(pdus)
    codings = {decode(pdu)["Coding"] for pdu in pdus}
    expected = {
        Alphabet.GSM_7: "Default_No_Compression",
        Alphabet.UCS_2: "Unicode_No_Compression",
    }
    assert codings == {expected[length.alphabet]}
