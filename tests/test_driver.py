"""The AT driver over a scripted serial port: setting a modem up, and the calls
and reports it announces."""

from __future__ import annotations

from fake_port import FakePort

from modem.drivers.at import ATDriver
from modem.drivers.contract import CallRang, DriverSettings, IncomingCall

OK = b"\r\nOK\r\n"
UP_TO_INDICATIONS = [
    OK,  # AT
    OK,  # ATE0
    OK,  # AT+CMEE=1
    b"\r\n+CPIN: READY\r\n" + OK,
    OK,  # AT+CMGF=0
    b"\r\n+CPMS: 0,30,0,30,0,30\r\n" + OK,
]


def connected(*answers: bytes, status_reports: bool = True) -> tuple[ATDriver, FakePort]:
    """A driver connected to a modem that answers `answers` from AT+CNMI on."""
    port = FakePort(*UP_TO_INDICATIONS, *answers)
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


def test_it_asks_for_new_messages_delivery_reports_and_caller_id():
    _, port = connected(OK, OK)
    assert port.written.endswith(b"AT+CNMI=2,1,0,1,0\rAT+CLIP=1\r")


def test_it_goes_without_delivery_reports_when_the_modem_refuses_to_route_them():
    _, port = connected(b"\r\n+CMS ERROR: 303\r\n", OK, OK)
    assert port.written.endswith(b"AT+CNMI=2,1,0,1,0\rAT+CNMI=2,1,0,0,0\rAT+CLIP=1\r")


def test_it_asks_for_no_delivery_reports_when_told_not_to():
    _, port = connected(OK, OK, status_reports=False)
    assert port.written.endswith(b"AT+CNMI=2,1,0,0,0\rAT+CLIP=1\r")


# -- calls ----------------------------------------------------------------------------


def test_it_goes_on_without_caller_id_when_the_modem_refuses_it_and_logs_calls_unnamed(caplog):
    driver, port = connected(OK, b"\r\nERROR\r\n")
    assert port.written.endswith(b"AT+CLIP=1\r")
    assert "refused caller id" in caplog.text

    port.arrive(b"RING\r\nNO CARRIER\r\n")
    (call,) = events_of(driver)
    assert isinstance(call, IncomingCall)
    assert (call.number, call.rings) == (None, 1)


def test_it_gives_one_event_per_call_among_other_lines():
    driver, port = connected(OK, OK)
    port.arrive(b'RING\r\n+CLIP: "82882690",129,,,,0\r\n^RSSI:18\r\nRING\r\n')
    port.arrive(b'+CLIP: "82882690",129,,,,0\r\n^CEND:1,0,104,16\r\n')
    events = events_of(driver)
    assert [type(event) for event in events] == [IncomingCall, CallRang]
    assert events[0].number == "82882690"
    assert events[1].rings == 2
