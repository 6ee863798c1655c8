"""smsbox.plain_numbers gives phonenumbers' own answer or none: held to phonenumbers
itself over every region's example numbers in national, international and garbled
forms, read in their own region and in others."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import SUPPORTED_REGIONS

from smsbox.numbers import InvalidNumber, to_e164
from smsbox.plain_numbers import plain_e164

REGIONS = sorted(SUPPORTED_REGIONS)
READ_IN = ["FR", "GB", "US", "DE", "IT", "BE", "MA", "RE"]
EXAMPLES = [
    (region, number)
    for region in REGIONS
    for kind in PhoneNumberType.values()
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]


def phonenumbers_e164(text: str, region: str) -> str | None:
    """What to_e164 answered before the shortcut: E.164, or None for a refusal."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def written_forms(number: phonenumbers.PhoneNumber, read_in: str) -> list[str]:
    national = phonenumbers.national_significant_number(number)
    code = str(number.country_code)
    return [
        *(
            phonenumbers.format_number(number, form)
            for form in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL)
        ),
        phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        phonenumbers.format_out_of_country_calling_number(number, read_in),
        national,
        "0" + national,
        code + national,
        f"+{code} (0){national}",
        f"00{code} {national}",
    ]


def assert_same_answer(text: str, region: str) -> None:
    answer = plain_e164(text, region)
    assert answer is None or answer == phonenumbers_e164(text, region), (text, region)


def test_it_answers_as_phonenumbers_for_every_example_number_in_every_form():
    answered = 0
    for region, number in EXAMPLES:
        for read_in in {region, *READ_IN}:
            for text in written_forms(number, read_in):
                assert_same_answer(text, read_in)
                answered += plain_e164(text, read_in) is not None
    assert answered > len(EXAMPLES)


def test_it_answers_as_phonenumbers_behind_every_prefix_at_every_length():
    """Where `parse` takes a prefix off or leaves it depends on the length left, and
    on lengths that only dial locally (US: `1 234 5678`)."""
    for region in REGIONS:
        example = phonenumbers.example_number(region)
        digits = phonenumbers.national_significant_number(example) if example else "2345678"
        for prefix in _prefixes(region):
            for length in range(1, 18):
                assert_same_answer(prefix + (digits * 3)[:length], region)


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "6.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "(06) 12 34 56 78",
    ],
)
def test_the_usual_french_forms_need_no_parse(text):
    assert plain_e164(text, "FR") == "+33612345678"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("33612345678", "FR"),  # the country code without its +: parse weighs it
        ("+44 20 7946 0958", "FR"),  # another country
        ("06 12 34", "FR"),  # too few digits: refused by phonenumbers
        ("06 12 34 56 78 9", "FR"),
        ("06 12 AB 56 78", "FR"),
        ("06 12 34 56 78 ext 12", "FR"),
        ("06\u00a012\u00a034\u00a056\u00a078", "FR"),
        ("++33 6 12 34 56 78", "FR"),
        ("06" + " " * 250 + "12 34 56 78", "FR"),  # longer than parse reads
        ("06 12 34 56 78", "ZZ"),
        ("06 12 34 56 78", "fr"),
        ("02 1234 5678", "IT"),  # Italian numbers keep their leading zero
    ],
)
def test_what_it_leaves_to_phonenumbers(text, region):
    assert plain_e164(text, region) is None


def test_to_e164_still_refuses_what_phonenumbers_refuses():
    with pytest.raises(InvalidNumber, match="wrong number of digits"):
        to_e164("06 12 34 56 78 9", "FR")
    with pytest.raises(InvalidNumber, match="not a phone number"):
        to_e164("0 6", "FR")


def _prefixes(region: str) -> list[str]:
    metadata = PhoneMetadata.metadata_for_region(region)
    code = str(metadata.country_code)
    idd = metadata.international_prefix or "00"
    national = (metadata.national_prefix_for_parsing or "0").split("|")[0]
    return ["", "+", "+" + code, idd, idd + code, code, "0", national, f"+{code} (0)", "+1"]


def _garbled(text: str, edits: list[tuple[int, str, bool]]) -> str:
    """`text` with each edit: at a position (modulo its length), a character put in,
    or put in place of the one there."""
    chars = list(text)
    for position, char, replaces in edits:
        at = position % (len(chars) + 1)
        chars[at : at + int(replaces)] = [char]
    return "".join(chars)


EDITS = st.lists(
    st.tuples(
        st.integers(0, 30),
        st.sampled_from("0123456789 .-()+/#x,\u00a0"),
        st.booleans(),
    ),
    max_size=4,
)


@given(st.sampled_from(EXAMPLES), st.sampled_from(READ_IN + REGIONS), st.data())
def test_a_garbled_example_number_gets_phonenumbers_answer_or_none(example, read_in, data):
    _, number = example
    text = data.draw(st.sampled_from(written_forms(number, read_in)))
    assert_same_answer(_garbled(text, data.draw(EDITS)).strip(), read_in)


@given(st.sampled_from(READ_IN + REGIONS), st.data())
def test_digits_behind_any_prefix_get_phonenumbers_answer_or_none(region, data):
    prefix = data.draw(st.sampled_from(_prefixes(region)))
    digits = data.draw(st.text("0123456789", max_size=18))
    text = _garbled(prefix + digits, data.draw(EDITS)).strip()
    assert_same_answer(text, region)
    if text:
        expected = phonenumbers_e164(text, region)
        if expected is None:
            with pytest.raises(InvalidNumber):
                to_e164(text, region)
        else:
            assert to_e164(text, region) == expected
