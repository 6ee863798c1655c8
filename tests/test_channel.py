"""The AT channel over a scripted serial port: answers, unsolicited lines, submissions."""

from __future__ import annotations

import time

import pytest
from fake_port import FakePort
from modem_lines import PDU_1

from modem.at import (
    first_with,
    parse_cmgl,
    parse_cmgr,
)
from modem.channel import ATChannel
from modem.drivers.contract import StoredSms
from modem.errors import ModemError, ModemTimeout

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
