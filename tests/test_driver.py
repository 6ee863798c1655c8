"""The AT driver over a scripted serial port: setting a modem up, what it says of
itself, and the calls and reports it announces."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fake_port import FakePort

from modem.drivers.at import REPORT_SLOTS, ATDriver
from modem.drivers.contract import (
    CallRang,
    DriverSettings,
    IncomingCall,
    ModemStatus,
    NewMessage,
)
from modem.errors import NoAnswer
from modem.pdu_encoding import encode_status_report

OK = b"\r\nOK\r\n"
ERROR = b"\r\nERROR\r\n"
CME_ERROR = b"\r\n+CME ERROR: 3\r\n"
CMS_ERROR = b"\r\n+CMS ERROR: 303\r\n"


def answer(*lines: str) -> bytes:
    return b"".join(f"\r\n{line}\r\n".encode() for line in lines) + OK


UP_TO_INDICATIONS = [
    OK,  # AT
    OK,  # ATE0
    OK,  # AT+CMEE=1
    b"\r\n+CPIN: READY\r\n" + OK,
    OK,  # AT+CMGF=0
    b"\r\n+CPMS: 0,30,0,30,0,30\r\n" + OK,
]


# What a modem answers after AT+CNMI: AT+CLIP=1, AT+COPS=3,0 and AT+CMMS=2.
SETTINGS_AFTER_INDICATIONS = (OK, OK, OK)


REPORT_PDU = encode_status_report(
    7,
    "+33612345678",
    smsc="+33609001390",
    submitted_at=datetime(2026, 11, 24, tzinfo=UTC),
    status=0,
)
# AT+CPMS=? of a modem with no storage for status reports, and of one with "SR".
NO_REPORT_STORAGE = answer('+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")')
REPORT_STORAGE = answer('+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")')


def connected(
    *answers: bytes, status_reports: bool = True, storages: bytes = NO_REPORT_STORAGE
) -> tuple[ATDriver, FakePort]:
    """A driver connected to a modem that answers `answers` from AT+CNMI to AT+CMMS=2
    (after `storages` to AT+CPMS=?, asked when reports are wanted)."""
    asked = [storages] if status_reports else []
    port = FakePort(*UP_TO_INDICATIONS, *asked, *answers)
    driver = ATDriver(
        DriverSettings("/dev/scripted", status_reports=status_reports),
        open_port=lambda *_, **__: port,
    )
    driver.connect()
    return driver, port


def events_of(driver: ATDriver) -> list:
    """Every event the lines on the port make: the driver takes them a few at a time."""
    events = []
    for _ in range(6):
        events += driver.events(0.05)
    return events


# -- setting up ----------------------------------------------------------------------


def test_it_asks_for_new_messages_delivery_reports_caller_id_names_and_one_relay_link():
    _, port = connected(OK, *SETTINGS_AFTER_INDICATIONS)
    assert port.written.endswith(
        b"AT+CPMS=?\rAT+CNMI=2,1,0,1,0\rAT+CLIP=1\rAT+COPS=3,0\rAT+CMMS=2\r"
    )


def test_it_has_reports_wait_in_the_modem_where_it_has_a_storage_for_them():
    driver, port = connected(OK, *SETTINGS_AFTER_INDICATIONS, storages=REPORT_STORAGE)
    assert b"AT+CPMS=?\rAT+CNMI=2,1,0,2,0\rAT+CLIP=1\r" in port.written
    port.arrive(b'\r\n+CDSI: "SR",3\r\n')
    (filed,) = events_of(driver)
    assert filed == NewMessage("SR", REPORT_SLOTS + 3)

    port.will_answer(
        answer("+CPMS: 1,20,0,30,0,30"),
        answer("+CMGR: 0,,25", REPORT_PDU),
        answer("+CPMS: 0,30,0,30,0,30"),
    )
    stored = driver.read_message(filed.index)
    assert (stored.storage, stored.index, stored.pdu) == ("SR", REPORT_SLOTS + 3, REPORT_PDU)
    assert port.written.endswith(b'AT+CPMS="SR"\rAT+CMGR=3\rAT+CPMS="SM"\r')


EMPTY_SLOT = b"\r\n+CMS ERROR: 321\r\n"  # 3GPP TS 27.005 §3.2.5: invalid memory index


def test_it_reads_nothing_from_an_empty_slot_and_deletes_it_as_gone_already():
    """A +CMTI or +CDSI read twice, the second time after a sweep took its message:
    an empty slot is no fault (a reconnect would lose the calls ringing meanwhile)."""
    driver, port = connected(OK, *SETTINGS_AFTER_INDICATIONS, storages=REPORT_STORAGE)
    port.will_answer(EMPTY_SLOT)
    assert driver.read_message(2) is None
    port.will_answer(answer("+CPMS: 0,20,0,30,0,30"), EMPTY_SLOT, answer("+CPMS: 0,30,0,30,0,30"))
    assert driver.read_message(REPORT_SLOTS + 2) is None
    assert port.written.endswith(b'AT+CMGR=2\rAT+CPMS="SR"\rAT+CMGR=2\rAT+CPMS="SM"\r')
    port.will_answer(EMPTY_SLOT)
    driver.delete_message(2)


def test_it_falls_back_to_passed_on_reports_then_to_none_as_the_modem_refuses():
    _, port = connected(CMS_ERROR, OK, *SETTINGS_AFTER_INDICATIONS, storages=REPORT_STORAGE)
    assert b"AT+CNMI=2,1,0,2,0\rAT+CNMI=2,1,0,1,0\rAT+CLIP=1\r" in port.written
    _, port = connected(
        CMS_ERROR, CMS_ERROR, OK, *SETTINGS_AFTER_INDICATIONS, storages=REPORT_STORAGE
    )
    assert b"AT+CNMI=2,1,0,1,0\rAT+CNMI=2,1,0,0,0\rAT+CLIP=1\r" in port.written


def test_it_goes_without_delivery_reports_when_the_modem_refuses_to_route_them():
    driver, port = connected(CMS_ERROR, OK, *SETTINGS_AFTER_INDICATIONS)
    assert b"AT+CNMI=2,1,0,1,0\rAT+CNMI=2,1,0,0,0\rAT+CLIP=1\r" in port.written
    assert driver.announces_new_messages


def test_it_asks_for_no_delivery_reports_when_told_not_to():
    _, port = connected(OK, *SETTINGS_AFTER_INDICATIONS, status_reports=False)
    assert b"AT+CNMI=2,1,0,0,0\rAT+CLIP=1\r" in port.written


def test_it_works_without_new_message_indications_when_the_modem_refuses_them_all(caplog):
    driver, port = connected(CMS_ERROR, CMS_ERROR, *SETTINGS_AFTER_INDICATIONS)
    assert port.written.endswith(
        b"AT+CPMS=?\rAT+CNMI=2,1,0,1,0\rAT+CNMI=2,1,0,0,0\rAT+CLIP=1\rAT+COPS=3,0\rAT+CMMS=2\r"
    )
    assert not driver.announces_new_messages
    assert "refuses to announce new SMS" in caplog.text
    written = port.written
    assert not driver.settings_lost()  # no AT+CNMI? to compare: nothing asked
    assert port.written == written


@pytest.mark.parametrize("refusal", [ERROR, CME_ERROR, b"\r\nCOMMAND NOT SUPPORT\r\n"])
def test_it_goes_on_when_the_modem_refuses_the_operator_format_and_the_relay_link(refusal, caplog):
    driver, port = connected(OK, OK, refusal, refusal)
    assert port.written.endswith(b"AT+COPS=3,0\rAT+CMMS=2\r")
    assert caplog.text.count("refused AT+COPS=3,0") == 1
    assert caplog.text.count("refused AT+CMMS=2") == 1
    assert driver.announces_new_messages


# -- calls ----------------------------------------------------------------------------


def test_it_goes_on_without_caller_id_when_the_modem_refuses_it_and_logs_calls_unnamed(caplog):
    driver, port = connected(OK, ERROR, OK, OK)
    assert b"AT+CLIP=1\r" in port.written
    assert "refused AT+CLIP=1" in caplog.text

    port.arrive(b"RING\r\nNO CARRIER\r\n")
    (call,) = events_of(driver)
    assert isinstance(call, IncomingCall)
    assert (call.number, call.rings) == (None, 1)


def test_it_gives_one_event_per_call_among_other_lines():
    driver, port = connected(OK, *SETTINGS_AFTER_INDICATIONS)
    port.arrive(b'RING\r\n+CLIP: "82882690",129,,,,0\r\n^RSSI:18\r\nRING\r\n')
    port.arrive(b'+CLIP: "82882690",129,,,,0\r\n^CEND:1,0,104,16\r\n')
    events = events_of(driver)
    assert [type(event) for event in events] == [IncomingCall, CallRang]
    assert events[0].number == "82882690"
    assert events[1].rings == 2


# -- what the modem says of itself -----------------------------------------------------------

IDENTITY = (
    answer("867856030000001"),  # AT+CGSN
    answer("208150000000001"),  # AT+CIMI
    answer("+CCID: 8933150319000000001F"),  # AT+CCID
    answer('+CNUM: "","+33612345678",145'),  # AT+CNUM
)
STATE = (
    answer("+CSQ: 21,99"),
    answer("+CREG: 0,5"),
    answer('+COPS: 0,0,"Orange F",7'),
    answer('+CPMS: "SM",3,30,"SM",3,30,"SM",3,30'),
)
EVERYTHING = ModemStatus(
    signal=21,
    registration="roaming",
    operator="Orange F",
    storage_used=3,
    storage_total=30,
    imei="867856030000001",
    imsi="208150000000001",
    iccid="8933150319000000001",
    own_number="+33612345678",
)
STATE_COMMANDS = b"AT+CSQ\rAT+CREG?\rAT+COPS?\rAT+CPMS?\r"


def connected_then(*answers: bytes) -> tuple[ATDriver, FakePort]:
    return connected(OK, *SETTINGS_AFTER_INDICATIONS, *answers)


def test_it_reads_what_the_modem_says_of_itself_and_its_identity_once_per_connect():
    driver, port = connected_then(*IDENTITY, *STATE, *STATE)
    assert driver.status() == EVERYTHING
    assert port.written.endswith(b"AT+CGSN\rAT+CIMI\rAT+CCID\rAT+CNUM\r" + STATE_COMMANDS)
    written = len(port.written)
    assert driver.status() == EVERYTHING
    assert port.written[written:] == STATE_COMMANDS


def test_it_reads_the_identity_again_after_a_reconnect():
    driver, _ = connected_then(*IDENTITY, *STATE)
    driver.status()
    driver.close()
    again = FakePort(*UP_TO_INDICATIONS, OK, *SETTINGS_AFTER_INDICATIONS, *IDENTITY, *STATE)
    driver._open_port = lambda *_, **__: again
    driver.connect()
    assert driver.status() == EVERYTHING
    assert b"AT+CGSN\r" in again.written


def test_it_reads_the_iccid_with_a_vendors_command_when_at_ccid_is_refused(caplog):
    driver, port = connected_then(
        *IDENTITY[:2], CME_ERROR, answer("+QCCID: 89331503190000000011"), *IDENTITY[3:], *STATE
    )
    assert driver.status().iccid == "89331503190000000011"
    assert b"AT+CCID\rAT+QCCID\rAT+CNUM\r" in port.written
    assert "ICCID" not in caplog.text


def test_it_takes_a_sim_without_its_own_number_as_none():
    driver, _ = connected_then(*IDENTITY[:3], OK, *STATE)
    assert driver.status().own_number is None


REFUSALS = [ERROR, CME_ERROR, b"\r\nCOMMAND NOT SUPPORT\r\n"]


@pytest.mark.parametrize("refusal", REFUSALS)
@pytest.mark.parametrize(
    ("position", "field"),
    [
        (0, "imei"),
        (1, "imsi"),
        (3, "own_number"),
        (4, "signal"),
        (5, "registration"),
        (6, "operator"),
    ],
)
def test_it_leaves_what_the_modem_refuses_to_say_none_and_logs_it_once(
    position, field, refusal, caplog
):
    answers = [*IDENTITY, *STATE]
    answers[position] = refusal
    again = [*STATE]
    if position >= len(IDENTITY):
        again[position - len(IDENTITY)] = refusal
    driver, _ = connected_then(*answers, *again)
    caplog.set_level(logging.INFO)
    first = driver.status()
    assert getattr(first, field) is None
    assert first == replace(EVERYTHING, **{field: None})
    assert driver.status() == first
    assert caplog.text.count("does not tell its") == 1


def test_it_leaves_the_storage_and_iccid_none_when_refused():
    refused_iccid = (CME_ERROR, ERROR, ERROR)  # AT+CCID, AT+QCCID, AT+CICCID
    driver, _ = connected_then(*IDENTITY[:2], *refused_iccid, *IDENTITY[3:], *STATE[:3], ERROR)
    status = driver.status()
    assert (status.iccid, status.storage_used, status.storage_total) == (None, None, None)
    assert status.operator == "Orange F"


def test_it_takes_a_garbled_answer_as_saying_nothing():
    driver, _ = connected_then(*IDENTITY, *STATE[:2], answer("+COPS: x,,"), *STATE[3:])
    assert driver.status().operator is None


def test_it_lets_a_modem_that_stops_answering_be_noticed():
    driver, port = connected_then(*IDENTITY, *STATE)

    def unplugged(data: bytes) -> int:
        raise OSError(5, "Input/output error")

    port.write = unplugged  # type: ignore[method-assign]
    with pytest.raises(NoAnswer):
        driver.status()
