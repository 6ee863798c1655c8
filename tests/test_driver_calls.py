"""The AT driver's side of incoming calls, over a scripted serial port."""

from __future__ import annotations

from fake_port import FakePort

from modem.channel import ATChannel
from modem.driver import ATDriver
from modem.ringing import CallRang, IncomingCall

SETTINGS_ANSWERS = [b"OK\r\n", b"OK\r\n", b"+CPIN: READY\r\nOK\r\n", b"OK\r\n"]
STORAGE_ANSWER = b"+CPMS: 0,30,0,30,0,30\r\nOK\r\n"


def driver_on(*answers: bytes) -> tuple[ATDriver, FakePort]:
    port = FakePort(*answers)
    port.timeout = 0.01
    driver = ATDriver("/dev/null")
    driver._channel = ATChannel(port)
    return driver, port


def events_of(driver: ATDriver) -> list:
    """Every event the lines on the port make: the driver takes them a few at a time."""
    events = []
    for _ in range(6):
        events += driver.events(0.05)
    return events


def test_it_goes_on_without_caller_id_when_the_modem_refuses_it_and_logs_calls_unnamed(caplog):
    driver, port = driver_on(*SETTINGS_ANSWERS, STORAGE_ANSWER, b"OK\r\n", b"ERROR\r\n")
    driver.reinitialise()
    assert port.written.endswith(b"AT+CLIP=1\r")
    assert "refused caller id" in caplog.text

    port.arrive(b"RING\r\nNO CARRIER\r\n")
    (call,) = events_of(driver)
    assert isinstance(call, IncomingCall)
    assert (call.number, call.rings) == (None, 1)


def test_it_gives_one_event_per_call_among_other_lines():
    driver, port = driver_on()
    port.arrive(b'RING\r\n+CLIP: "82882690",129,,,,0\r\n^RSSI:18\r\nRING\r\n')
    port.arrive(b'+CLIP: "82882690",129,,,,0\r\n^CEND:1,0,104,16\r\n')
    events = events_of(driver)
    assert [type(event) for event in events] == [IncomingCall, CallRang]
    assert events[0].number == "82882690"
    assert events[1].rings == 2
