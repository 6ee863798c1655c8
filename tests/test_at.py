from __future__ import annotations

import pytest
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
from modem_lines import PDU_1, PDU_2

from modem.at import (
    error_for,
    is_final,
    is_urc,
    parse_clip,
    parse_cmgl,
    parse_cmgr,
    parse_cmgs,
    parse_cmti,
    parse_cnum,
    parse_cops,
    parse_cpms,
    parse_creg,
    parse_csca,
    parse_csq,
    parse_identity,
)
from modem.drivers.contract import StoredSms
from modem.errors import ModemError

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


@pytest.mark.parametrize(("line", "parsed"), NEW_MESSAGE_NOTICES)
def test_it_parses_a_new_message_notice(line, parsed):
    assert parse_cmti(line) == parsed


@pytest.mark.parametrize(
    ("line", "parsed"), [('+CDSI: "SR",2', ("SR", 2)), ('+CDSI: "SM", 7', ("SM", 7))]
)
def test_it_parses_where_a_status_report_was_filed(line, parsed):
    assert parse_cmti(line, "+CDSI:") == parsed
    with pytest.raises(ModemError):
        parse_cmti(line)  # not a new-message notice


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


@pytest.mark.parametrize(("line", "registration"), REGISTRATIONS)
def test_it_parses_the_registration(line, registration):
    assert parse_creg(line) == registration


@pytest.mark.parametrize(("line", "operator"), OPERATORS)
def test_it_parses_the_operator(line, operator):
    assert parse_cops(line) == operator


@pytest.mark.parametrize(("line", "storage"), STORAGES)
def test_it_parses_the_storage_messages_are_read_from(line, storage):
    assert parse_cpms(line) == storage


@pytest.mark.parametrize(
    ("line", "smsc"),
    [
        ('+CSCA: "+33609001390",145', "+33609001390"),
        ('+CSCA: "0609001390",129', "0609001390"),
        ('+CSCA: "",129', ""),  # a SIM without its SMS centre: nothing can be sent
        ("+CSCA: ", ""),
    ],
)
def test_it_parses_the_sms_centre(line, smsc):
    assert parse_csca(line) == smsc


@pytest.mark.parametrize(("lines", "identity"), IDENTITIES)
def test_it_parses_an_identity_with_or_without_its_prefix(lines, identity):
    assert parse_identity(lines, "AT+CGSN") == identity


@pytest.mark.parametrize(("lines", "number"), OWN_NUMBERS)
def test_it_parses_the_own_number(lines, number):
    assert parse_cnum(lines) == number


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
        (parse_creg, "+CREG: 1"),  # the unsolicited form: no <n>
        (parse_creg, "+CREG: 0,x"),
        (parse_cops, '+COPS: x,0,"Orange F"'),
        (parse_cpms, '+CPMS: "SM",3'),
        (parse_cpms, '+CPMS: "SM",,30'),
        (parse_csca, '+CSCA: "' + "9" * 40 + '",145'),
        (parse_csca, '+CSCA: "+336\x00",145'),
        (lambda line: parse_identity([line], "AT+CGSN"), "OK?"),
        (lambda line: parse_identity([line], "AT+CGSN"), "+CGSN: 8678560300x"),
        (lambda line: parse_cnum([line]), '+CNUM: "","+33612345678"'),
        (lambda line: parse_cnum([line]), '+CNUM: "","+3361234567A",145'),
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
