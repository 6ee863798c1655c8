from __future__ import annotations

import time

import pytest
from fake_port import FakePort
from hypothesis import given
from hypothesis import strategies as st

from modem.at import (
    ModemError,
    ModemTimeout,
    StoredSms,
    error_for,
    first_with,
    is_final,
    is_urc,
    parse_clip,
    parse_cmgl,
    parse_cmgr,
    parse_cmgs,
    parse_cmti,
    parse_csq,
)
from modem.channel import ATChannel

PDU_1 = "07913306091093F0040B913316325476F80000425010210000000568656C6C6F"
PDU_2 = "07913306091093F0000CD04F69D0792C0200004250102100000005E8329BFD06"

# -- the protocol as text ----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "OK",
        "ERROR",
        "+CME ERROR: 10",
        "+CMS ERROR: 500",
        "+CME ERROR: SIM not inserted",
        "COMMAND NOT SUPPORT",
    ],
)
def test_it_knows_a_final_result(line):
    assert is_final(line)
    assert is_final(line, "AT+CMGS=20")


@pytest.mark.parametrize("line", ["NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"])
def test_it_ends_only_a_dial_or_an_answer_with_a_call_result(line):
    assert is_final(line, "ATD+33612345678;")
    assert is_final(line, "ATA")
    assert not is_final(line, "AT+CMGS=20")
    assert is_urc(line, "+CMGS:", "AT+CMGS=20")
    assert not is_urc(line, None, "ATD+33612345678;")


@pytest.mark.parametrize(
    "line",
    ["+CSQ: 21,99", '+CMTI: "SM",3', "+CMGS: 12", "> ", "SIMCOM_SIM800L", "OKAY", "+CME: 10"],
)
def test_it_does_not_take_an_information_line_for_a_final_result(line):
    assert not is_final(line)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("+CMS ERROR: 21", 21),
        ("+CMS ERROR: 28", 28),
        ("+CMS ERROR: 304", 304),
        ("+CMS ERROR: 330", 330),
        ("+CMS ERROR:1", 1),
    ],
)
def test_it_calls_errors_a_retry_cannot_fix_permanent(line, code):
    error = error_for(line, "AT+CMGS=20")
    assert error is not None
    assert error.permanent
    assert error.code == code
    assert "AT+CMGS=20" in str(error)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("+CMS ERROR: 38", 38),
        ("+CMS ERROR: 42", 42),
        ("+CMS ERROR: 500", 500),
        ("+CME ERROR: 100", 100),
        ("+CME ERROR: 21", 21),
        ("ERROR", None),
        ("+CMS ERROR: unknown error", None),
        ("NO CARRIER", None),
    ],
)
def test_it_leaves_errors_a_retry_may_fix_transient(line, code):
    error = error_for(line, "AT+CMGS=20")
    assert error is not None
    assert not error.permanent
    assert error.code == code


def test_it_finds_no_error_in_ok():
    assert error_for("OK", "AT") is None


@pytest.mark.parametrize(
    "line",
    [
        '+CMTI: "SM",3',
        "RING",
        '+CLIP: "+33612345678",145,"",0,"",0',
        "^RSSI: 15",
        "+CREG: 1",
        '+CDSI: "SR",2',
        "+CMT: ,24",
        "SMS Ready",
        "RDY",
        "+QIND: SMS DONE",
    ],
)
def test_it_knows_an_unsolicited_line(line):
    assert is_urc(line)


@pytest.mark.parametrize(
    ("line", "expect"),
    [
        ("+CREG: 0,1", "+CREG:"),
        ("+CPIN: READY", "+CPIN:"),
        ("+CSQ: 21,99", None),
        ("+CMGS: 12", "+CMGS:"),
        ("OK", None),
        ("+CMGL: 1,0,,24", "+CMGL:"),
    ],
)
def test_it_does_not_take_an_answer_for_an_unsolicited_line(line, expect):
    assert not is_urc(line, expect)


NEW_MESSAGE_NOTICES = [
    ('+CMTI: "SM",3', ("SM", 3)),
    ('+CMTI: "ME", 12', ("ME", 12)),
    ("+CMTI: SM,1", ("SM", 1)),
]
SUBMIT_REFERENCES = [("+CMGS: 12", 12), ("+CMGS: 0", 0), ("+CMGS:255", 255)]
SIGNAL_QUALITIES = [
    ("+CSQ: 21,99", 21),
    ("+CSQ: 0,0", 0),
    ("+CSQ: 31,0", 31),
    ("+CSQ: 99,99", None),
]
CALLER_LINES = [
    ('+CLIP: "+33612345678",145,"",0,"",0', "+33612345678"),  # SIMCom, Quectel
    ('+CLIP: "0612345678",129,"",0,"",0', "0612345678"),
    ('+CLIP: "82882690",129,,,,0', "82882690"),  # Huawei MU509 §10.4
    ('+CLIP: "+33612345678",145', "+33612345678"),  # no optional fields
    ('+CLIP: "",128,"",0,"",1', None),  # withheld by the caller
    ('+CLIP: "",128,,,,1', None),
    ('+CLIP: "",128,,,,2', None),  # not available on the network
    ('+CLIP: "+33612345678",145,,,,2', None),
]
LISTING = ["+CMGL: 1,0,,24", PDU_1, "+CMGL: 4,1,,23", PDU_2]
READ_ANSWERS = [(["+CMGR: 0,,24", PDU_1], 0, PDU_1), (['+CMGR: 1,"",23', PDU_2], 1, PDU_2)]


@pytest.mark.parametrize(("line", "parsed"), NEW_MESSAGE_NOTICES)
def test_it_parses_a_new_message_notice(line, parsed):
    assert parse_cmti(line) == parsed


@pytest.mark.parametrize(("line", "number"), CALLER_LINES)
def test_it_parses_the_caller_of_an_incoming_call(line, number):
    assert parse_clip(line) == number


@pytest.mark.parametrize(("line", "reference"), SUBMIT_REFERENCES)
def test_it_parses_the_reference_of_a_submitted_part(line, reference):
    assert parse_cmgs(line) == reference


def test_it_parses_a_listing_of_stored_messages():
    assert parse_cmgl(LISTING) == [StoredSms(1, 0, PDU_1), StoredSms(4, 1, PDU_2)]


def test_it_parses_an_empty_listing():
    assert parse_cmgl([]) == []


@pytest.mark.parametrize(("lines", "status", "pdu"), READ_ANSWERS)
def test_it_parses_a_read_message(lines, status, pdu):
    assert parse_cmgr(lines, 7) == StoredSms(7, status, pdu)


def test_it_reads_an_empty_slot_as_none():
    assert parse_cmgr([], 3) is None


@pytest.mark.parametrize(("line", "quality"), SIGNAL_QUALITIES)
def test_it_parses_signal_quality(line, quality):
    assert parse_csq(line) == quality


def test_it_refuses_a_line_of_another_command_as_a_modem_error():
    with pytest.raises(ModemError, match=r"\+CSQ:") as raised:
        parse_csq("+CREG: 0,1")
    assert not raised.value.permanent


@pytest.mark.parametrize(
    ("parse", "line"),
    [
        (parse_cmti, "+CMTI: 3"),
        (parse_cmti, '+CMTI: "SM",x'),
        (parse_cmti, '+CMTI: "SM",'),
        (parse_cmti, "+CMTI: ,3"),
        (parse_cmti, '+CMTI: "SM",٣'),  # an Arabic-Indic three: int() would take it
        (parse_cmgs, "+CMGS: "),
        (parse_cmgs, "+CMGS: 1x"),
        (parse_cmgs, "+CMGS: -1"),
        (parse_cmgs, "+CMGS: " + "9" * 5000),  # int() refuses over 4300 digits
        (parse_csq, "+CSQ: ,99"),
        (parse_csq, "+CSQ: ²,99"),
        (lambda line: parse_cmgr([line, PDU_1], 1), "+CMGR: ,,24"),
        (parse_clip, '+CLIP: "+33612345678"'),
        (parse_clip, '+CLIP: "+33612345678",x,"",0,"",0'),
        (parse_clip, '+CLIP: "+3361234567A",145,"",0,"",0'),
        (parse_clip, '+CLIP: "+33612345678",145,"",0,"",7'),
        (parse_clip, "RING"),
    ],
)
def test_it_raises_a_modem_error_a_retry_may_fix_for_a_garbled_answer(parse, line):
    with pytest.raises(ModemError) as raised:
        parse(line)
    assert not raised.value.permanent


def test_it_skips_a_listed_message_whose_header_is_garbled():
    lines = ["+CMGL: x,0,,24", PDU_1, "+CMGL: 2", PDU_1, "+CMGL: 4,1,,23", PDU_2]
    assert parse_cmgl(lines) == [StoredSms(4, 1, PDU_2)]


@pytest.mark.parametrize("line", ["+CME ERROR: ²", "+CMS ERROR: " + "5" * 5000])
def test_it_reads_an_error_with_a_garbled_code_as_one_without_a_code(line):
    error = error_for(line, "AT")
    assert error is not None
    assert error.code is None
    assert not error.permanent


# -- the channel over a fake serial port ---------------------------------------------


def test_it_returns_the_information_lines_of_a_command():
    port = FakePort(b"\r\n+CSQ: 21,99\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.command("AT+CSQ") == ["+CSQ: 21,99"]
    assert port.written == b"AT+CSQ\r"


def test_it_keeps_a_new_message_notice_that_arrives_before_the_ok():
    port = FakePort(b'\r\n+CSQ: 21,99\r\n\r\n+CMTI: "SM",3\r\n\r\nOK\r\n')
    channel = ATChannel(port)
    assert channel.command("AT+CSQ") == ["+CSQ: 21,99"]
    assert channel.poll_urcs(0.5) == ['+CMTI: "SM",3']
    assert channel.poll_urcs(0.05) == []


def test_it_keeps_a_pdu_urc_with_its_pdu_line():
    port = FakePort(b"\r\n+CMT: ,24\r\n" + PDU_1.encode() + b"\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.command("AT") == []
    assert channel.poll_urcs(0.5) == [f"+CMT: ,24\n{PDU_1}"]


def test_it_waits_for_an_unsolicited_line_between_commands():
    port = FakePort()
    channel = ATChannel(port)
    port.arrive(b"\r\nRING\r\n")
    assert channel.poll_urcs(0.5) == ["RING"]


def test_it_skips_the_echo_of_the_command():
    port = FakePort(b"AT+CGMM\r\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.command("AT+CGMM") == ["SIMCOM_SIM800L"]


def test_it_keeps_answer_lines_that_share_a_urc_prefix_when_told_to_expect_them():
    port = FakePort(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.command("AT+CREG?", expect="+CREG:") == ["+CREG: 0,1"]
    assert channel.poll_urcs(0.05) == []


@pytest.mark.parametrize(
    ("answer", "permanent", "code"),
    [
        (b"\r\nERROR\r\n", False, None),
        (b"\r\n+CME ERROR: 10\r\n", False, 10),
        (b"\r\n+CMS ERROR: 330\r\n", True, 330),
    ],
)
def test_it_raises_the_error_a_command_ends_with(answer, permanent, code):
    channel = ATChannel(FakePort(answer))
    with pytest.raises(ModemError) as raised:
        channel.command("AT+CMGF=0")
    assert raised.value.permanent is permanent
    assert raised.value.code == code


def test_it_submits_a_pdu_after_the_prompt_and_returns_the_reference():
    pdu = "0031000B913316325476F80000FF05E8329BFD06"
    port = FakePort(b"\r\n> ", b"\r\n+CMGS: 7\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.submit_pdu(pdu, 19, timeout=2) == 7
    assert port.written == b"AT+CMGS=19\r" + pdu.encode() + b"\x1a"


def test_it_submits_through_an_echoed_prompt_and_an_echoed_pdu():
    pdu = "0031000B913316325476F80000FF05E8329BFD06"
    port = FakePort(
        b"AT+CMGS=19\r\r\n> ",
        pdu.encode() + b"\x1a\r\n+CMGS: 200\r\n\r\nOK\r\n",
    )
    channel = ATChannel(port)
    assert channel.submit_pdu(pdu, 19, timeout=2) == 200


def test_it_keeps_a_urc_that_arrives_before_the_prompt():
    port = FakePort(b'\r\n+CMTI: "SM",1\r\n\r\n> ', b"\r\n+CMGS: 8\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.submit_pdu("00", 0, timeout=2) == 8
    assert channel.poll_urcs(0.05) == ['+CMTI: "SM",1']


@pytest.mark.parametrize(("code", "permanent"), [(21, True), (28, True), (38, False), (500, False)])
def test_it_says_whether_a_rejected_submit_may_be_retried(code, permanent):
    port = FakePort(b"\r\n> ", f"\r\n+CMS ERROR: {code}\r\n".encode())
    channel = ATChannel(port)
    with pytest.raises(ModemError) as raised:
        channel.submit_pdu("0011", 1, timeout=2)
    assert raised.value.permanent is permanent
    assert raised.value.code == code


def test_it_raises_when_the_modem_refuses_the_submit_before_the_prompt():
    port = FakePort(b"\r\n+CMS ERROR: 330\r\n")
    channel = ATChannel(port)
    with pytest.raises(ModemError) as raised:
        channel.submit_pdu("0011", 1, timeout=2)
    assert raised.value.permanent
    assert b"\x1a" not in port.written


def test_it_times_out_when_the_modem_does_not_answer():
    channel = ATChannel(FakePort())
    started = time.monotonic()
    with pytest.raises(ModemTimeout):
        channel.command("AT", timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_it_times_out_on_a_half_answer():
    channel = ATChannel(FakePort(b"\r\n+CSQ: 21,99\r\n"))
    with pytest.raises(ModemTimeout) as raised:
        channel.command("AT+CSQ", timeout=0.3)
    assert not raised.value.permanent


def test_it_cancels_the_prompt_it_waited_for_in_vain():
    port = FakePort()
    channel = ATChannel(port)
    started = time.monotonic()
    with pytest.raises(ModemTimeout):
        channel.submit_pdu("0011", 1, prompt_timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert port.written.endswith(b"\x1b")


def test_it_raises_a_modem_error_when_the_port_fails():
    class BrokenPort(FakePort):
        def read(self, size: int = 1) -> bytes:
            raise OSError(5, "Input/output error")

    with pytest.raises(ModemError, match="serial port"):
        ATChannel(BrokenPort()).command("AT", timeout=1)


def test_it_skips_line_noise_between_listed_messages():
    lines = ["+CMGL: 1,0,,22", "0791AA", "~#garbage#~", "+CMGL: 2,1,,24", "0791BB"]
    assert parse_cmgl(lines) == [StoredSms(1, 0, "0791AA"), StoredSms(2, 1, "0791BB")]


def test_it_skips_line_noise_before_a_read_message():
    assert parse_cmgr(["\x7f!!", "+CMGR: 0,,22", "0791AA"], 4) == StoredSms(4, 0, "0791AA")


def test_it_finds_the_answer_line_among_noise_and_says_when_it_is_missing():
    assert first_with(["junk", "+CSQ: 20,99"], "+CSQ:", "AT+CSQ") == "+CSQ: 20,99"
    with pytest.raises(ModemError, match=r"AT\+CSQ: no \+CSQ: line"):
        first_with(["junk"], "+CSQ:", "AT+CSQ")


# -- fuzzing the parsers: a value or a ModemError, never anything else ------------------------

REAL_LINES = [
    *(line for line, _ in NEW_MESSAGE_NOTICES + SUBMIT_REFERENCES + SIGNAL_QUALITIES),
    *(line for line, _ in CALLER_LINES),
    *LISTING,
    *(line for lines, _, _ in READ_ANSWERS for line in lines),
    "+CMS ERROR: 500",
    "+CME ERROR: 10",
]
# Characters that matter to the grammar, so that mutations hit it more often than chance would.
GRAMMAR = st.sampled_from([*'+,:" 0123456789\r\n', "+CMTI:", "+CMGL:", "+CMGR:", "+CLIP:"])


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


@given(st.lists(LINES, max_size=8), st.integers(0, 400))
def test_it_parses_any_answer_to_messages_or_a_modem_error(lines, index):
    listed = parse_cmgl(lines)
    assert all(isinstance(sms, StoredSms) and sms.index >= 0 for sms in listed)
    read = parsed_or_modem_error(parse_cmgr, lines, index)
    assert read is None or isinstance(read, ModemError | StoredSms)
