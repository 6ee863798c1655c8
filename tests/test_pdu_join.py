"""Joining the parts of a long message, when the parts come from anyone."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fault_lab.crafted_pdus import with_concatenation
from modem.pdu import MAX_JOINED_PARTS, PduError, decode, in_part_order, join_text, recovered_text
from modem.pdu_encoding import encode_deliver

SENDER = "+33612345678"
SMSC = "+33609001390"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TEXT = "0123456789" * 40  # three GSM-7 parts with no escape across their ends
FIRST, SECOND, THIRD = encode_deliver(SENDER, TEXT, smsc=SMSC, sent_at=SENT_AT)
REFERENCE = 7


def part(pdu: str, number: int, total: int = 3, reference: int = REFERENCE) -> str:
    return with_concatenation(pdu, reference=reference, total=total, number=number)


def text_of(pdu: str) -> str:
    return decode(pdu)["Text"]


# Run in a child process under a time limit: python-gammu's LinkSMS looped forever on these
# parts, holding the GIL, so nothing in the test's own process could have stopped it.
JOIN = """
import sys
from modem.pdu import PduError, join_text
try:
    print(join_text(sys.argv[1:]))
except PduError as error:
    print(f"PduError: {error}")
"""


def join_in_a_child(*pdus: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", JOIN, *pdus],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    "pdus",
    [
        [part(FIRST, 1, 2), part(SECOND, 0, 2)],
        [part(FIRST, 0, 2)],
        [part(FIRST, 0, 2), part(SECOND, 0, 2)],
    ],
)
def test_it_refuses_a_part_numbered_0_at_once(pdus):
    assert join_in_a_child(*pdus) == "PduError: part 0 of 2 cannot exist"


@pytest.mark.parametrize(
    ("pdus", "reason"),
    [
        ([part(FIRST, 3, 2)], "part 3 of 2 cannot exist"),
        ([part(FIRST, 1, 2), part(SECOND, 3, 2)], "part 3 of 2 cannot exist"),
        ([part(FIRST, 1), part(THIRD, 3)], "part 2 of 3 is missing"),
        ([part(FIRST, 1), part(SECOND, 2), part(THIRD, 2), part(THIRD, 3)], "parts numbered 2"),
        ([part(FIRST, 1, 2), part(SECOND, 2, 2, reference=8)], "different messages"),
        ([part(FIRST, 1, 2), part(SECOND, 2, 3)], "different messages"),
        ([FIRST, encode_deliver(SENDER, "seul", smsc=SMSC, sent_at=SENT_AT)[0]], "single SMS"),
        (
            [part(FIRST, number, MAX_JOINED_PARTS + 1) for number in range(1, 52)],
            f"51 parts, more than the {MAX_JOINED_PARTS} python-gammu joins",
        ),
    ],
)
def test_it_says_why_parts_do_not_make_one_message(pdus, reason):
    with pytest.raises(PduError, match=reason):
        join_text(pdus)


def test_it_counts_an_identical_repeat_of_a_part_once():
    assert join_text([THIRD, FIRST, SECOND, FIRST, THIRD]) == TEXT


def test_it_recovers_the_text_each_part_carries_when_they_do_not_join():
    pdus = [part(FIRST, 1, 2), part(SECOND, 0, 2), "07913306091093F0FFFF"]
    recovered = recovered_text(pdus)
    assert recovered == text_of(SECOND) + text_of(FIRST)  # in part-number order
    assert recovered_text(["not hex"]) == ""


# -- properties ------------------------------------------------------------------------------

NUMBERS = st.integers(0, 6)


@given(st.lists(st.tuples(NUMBERS, NUMBERS, st.sampled_from("ABC")), max_size=8))
def test_it_orders_parts_only_when_they_number_1_to_their_total_once_each(parts):
    by_number: dict[int, set[str]] = {}
    for number, _, pdu in parts:
        by_number.setdefault(number, set()).add(pdu)
    totals = {total for _, total, _ in parts}
    one_message = (
        len(totals) == 1
        and sorted(by_number) == list(range(1, totals.pop() + 1))
        and all(len(pdus) == 1 for pdus in by_number.values())
    )
    try:
        ordered = in_part_order(parts)
    except PduError:
        assert not one_message
    else:
        assert one_message
        assert ordered == [by_number[number].pop() for number in sorted(by_number)]


@given(st.lists(st.tuples(st.sampled_from([FIRST, SECOND, THIRD]), NUMBERS), min_size=1))
def test_it_joins_crafted_parts_exactly_when_they_make_one_message(numbered):
    """Parts of a real message with any numbers, repeats and gaps: joined as their texts in
    number order, or refused. This cannot hang: join_text validates the numbering in
    Python and gives python-gammu only a checked, ordered list (DecodeSMS walks that list
    once); LinkSMS, whose search looped forever, fails every test (conftest.py)."""
    total = max(number for _, number in numbered)
    pdus = [part(pdu, number, total) for pdu, number in numbered]
    texts: dict[int, set[str]] = {}
    for pdu, number in numbered:
        texts.setdefault(number, set()).add(text_of(pdu))
    valid = total <= 1 and len(set(pdus)) == 1  # "part 1 of 1" is a single SMS
    valid = valid or (
        total > 1
        and sorted(texts) == list(range(1, total + 1))
        and all(len(same) == 1 for same in texts.values())
    )
    try:
        joined = join_text(pdus)
    except PduError:
        assert not valid
    else:
        assert valid
        assert joined == "".join(texts[number].pop() for number in sorted(texts))


def test_it_marks_where_missing_parts_would_be_in_the_text_it_recovers():
    assert recovered_text([THIRD, FIRST]) == (
        text_of(FIRST) + "[part 2 of 3 missing]" + text_of(THIRD)
    )
