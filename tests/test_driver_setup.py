"""Setting a modem up through the AT driver, on a scripted port."""

from __future__ import annotations

from fake_port import FakePort

from modem.driver import ATDriver

OK = b"\r\nOK\r\n"
UP_TO_INDICATIONS = [
    OK,  # AT
    OK,  # ATE0
    OK,  # AT+CMEE=1
    b"\r\n+CPIN: READY\r\n" + OK,
    OK,  # AT+CMGF=0
    b"\r\n+CPMS: 0,30,0,30,0,30\r\n" + OK,
]


def connected(*answers: bytes) -> FakePort:
    port = FakePort(*UP_TO_INDICATIONS, *answers)
    ATDriver("/dev/scripted", open_port=lambda *_, **__: port).connect()
    return port


def test_it_asks_for_new_messages_and_delivery_reports():
    port = connected(OK)
    assert port.written.endswith(b"AT+CNMI=2,1,0,1,0\r")


def test_it_goes_without_delivery_reports_when_the_modem_refuses_to_route_them():
    port = connected(b"\r\n+CMS ERROR: 303\r\n", OK)
    assert port.written.endswith(b"AT+CNMI=2,1,0,1,0\rAT+CNMI=2,1,0,0,0\r")


def test_it_asks_for_no_delivery_reports_when_told_not_to():
    port = FakePort(*UP_TO_INDICATIONS, OK)
    ATDriver("/dev/scripted", status_reports=False, open_port=lambda *_, **__: port).connect()
    assert port.written.endswith(b"AT+CNMI=2,1,0,0,0\r")
