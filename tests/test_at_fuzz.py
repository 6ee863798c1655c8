"""The AT parsers on any line: a value or a ModemError a retry may fix, never
anything else (Hypothesis mutates real modem lines)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from modem_answers import (
    CALLER_LINES,
    IDENTITIES,
    LISTING,
    NEW_MESSAGE_NOTICES,
    OPERATORS,
    OWN_NUMBERS,
    READ_ANSWERS,
    REGISTRATIONS,
    SIGNAL_QUALITIES,
    STORAGES,
    SUBMIT_REFERENCES,
)

from modem.at import (
    REGISTRATION_STATES,
    error_for,
    parse_clip,
    parse_cmgl,
    parse_cmgr,
    parse_cmgs,
    parse_cmti,
    parse_cnum,
    parse_cops,
    parse_cpms,
    parse_creg,
    parse_csq,
    parse_identity,
)
from modem.drivers.contract import StoredSms
from modem.errors import ModemError

# -- fuzzing the parsers: a value or a ModemError, never anything else ------------------------

REAL_LINES = [
    *(line for line, _ in NEW_MESSAGE_NOTICES + SUBMIT_REFERENCES + SIGNAL_QUALITIES),
    *(line for line, _ in CALLER_LINES),
    *LISTING,
    *(line for lines, _, _ in READ_ANSWERS for line in lines),
    *(line for line, _ in REGISTRATIONS + OPERATORS + STORAGES),
    *(line for lines, _ in IDENTITIES + OWN_NUMBERS for line in lines),
    "+CMS ERROR: 500",
    "+CME ERROR: 10",
]
# Characters that matter to the grammar, so that mutations hit it more often than chance would.
GRAMMAR = st.sampled_from(
    [*'+,:" 0123456789F\r\n', "+CMTI:", "+CMGL:", "+CMGR:", "+CLIP:", "+CREG:", "+CNUM:"]
)


@st.composite
def mutated_lines(draw) -> str:
    """A real modem line with a few characters inserted, replaced or cut."""
    line = draw(st.sampled_from(REAL_LINES))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(line)))
        piece = draw(GRAMMAR | st.text(max_size=3))
        line = draw(
            st.sampled_from(
                [
                    line[:position] + piece + line[position:],
                    line[:position] + piece + line[position + 1 :],
                    line[:position],
                    line[position:],
                ]
            )
        )
    return line


LINES = mutated_lines() | st.text() | st.sampled_from(REAL_LINES)


def parsed_or_modem_error(parse, *args):
    try:
        return parse(*args)
    except ModemError as error:
        assert not error.permanent
        return error


@given(LINES)
def test_it_parses_any_line_to_a_value_or_a_modem_error(line):
    notice = parsed_or_modem_error(parse_cmti, line)
    assert isinstance(notice, ModemError) or (
        isinstance(notice[0], str) and notice[0] and notice[1] >= 0
    )
    reference = parsed_or_modem_error(parse_cmgs, line)
    assert isinstance(reference, ModemError) or reference >= 0
    quality = parsed_or_modem_error(parse_csq, line)
    assert quality is None or isinstance(quality, ModemError) or quality >= 0
    caller = parsed_or_modem_error(parse_clip, line)
    assert caller is None or isinstance(caller, ModemError) or set(caller) <= set("+0123456789*#")
    error = error_for(line, "AT")
    assert error is None or isinstance(error, ModemError)


@given(LINES)
def test_it_parses_any_line_to_a_modem_state_or_a_modem_error(line):
    registration = parsed_or_modem_error(parse_creg, line)
    assert isinstance(registration, ModemError) or registration in REGISTRATION_STATES.values()
    operator = parsed_or_modem_error(parse_cops, line)
    assert operator is None or isinstance(operator, ModemError | str)
    storage = parsed_or_modem_error(parse_cpms, line)
    assert isinstance(storage, ModemError) or min(storage) >= 0


@given(st.lists(LINES, max_size=8))
def test_it_parses_any_answer_to_an_identity_or_a_modem_error(lines):
    identity = parsed_or_modem_error(parse_identity, lines, "AT+CIMI")
    assert isinstance(identity, ModemError) or identity.isdigit()
    number = parsed_or_modem_error(parse_cnum, lines)
    assert number is None or isinstance(number, ModemError) or set(number) <= set("+0123456789*#")


@given(st.lists(LINES, max_size=8), st.integers(0, 400))
def test_it_parses_any_answer_to_messages_or_a_modem_error(lines, index):
    listed = parse_cmgl(lines)
    assert all(isinstance(sms, StoredSms) and sms.index >= 0 for sms in listed)
    read = parsed_or_modem_error(parse_cmgr, lines, index)
    assert read is None or isinstance(read, ModemError | StoredSms)
