"""The AT channel when the modem misbehaves: what it tells the daemon, and when."""

from __future__ import annotations

import time

import pytest
from fake_port import FakePort

from modem.channel import ESC, ATChannel
from modem.errors import ModemError, NoAnswer, PortError, SubmitOutcomeUnknown

PDU = "0031000B913316325476F80000FF05E8329BFD06"


def test_it_waits_through_a_missed_calls_no_carrier_for_the_submit_answer():
    port = FakePort(b"\r\n> ", b"\r\nNO CARRIER\r\n\r\n+CMGS: 9\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    assert channel.submit_pdu(PDU, 19, timeout=2) == 9
    assert channel.poll_urcs(0.05) == ["NO CARRIER"]


def test_it_hands_the_pdu_over_only_after_the_caller_recorded_it():
    port = FakePort(b"\r\n> ", b"\r\n+CMGS: 3\r\n\r\nOK\r\n")
    written_at_handover = []
    channel = ATChannel(port)
    channel.submit_pdu(
        PDU, 19, before_handover=lambda: written_at_handover.append(port.written), timeout=2
    )
    assert written_at_handover == [b"AT+CMGS=19\r"]


def test_it_records_the_handover_while_the_prompt_is_on_its_way():
    port = FakePort()
    channel = ATChannel(port)

    def record_then_prompt() -> None:
        port.arrive(b"\r\n> ")  # the modem had not asked for the PDU yet
        port.will_answer(b"\r\n+CMGS: 4\r\n\r\nOK\r\n")

    assert channel.submit_pdu(PDU, 19, before_handover=record_then_prompt, timeout=2) == 4
    assert port.written == b"AT+CMGS=19\r" + PDU.encode() + b"\x1a"


def test_it_lets_the_caller_work_once_the_pdu_is_written_before_reading_the_answer():
    port = FakePort(b"\r\n> ", b"\r\n+CMGS: 5\r\n\r\nOK\r\n")
    channel = ATChannel(port)
    written_meanwhile = []
    assert (
        channel.submit_pdu(
            PDU, 19, meanwhile=lambda: written_meanwhile.append(port.written), timeout=2
        )
        == 5
    )
    assert written_meanwhile == [b"AT+CMGS=19\r" + PDU.encode() + b"\x1a"]


def test_it_writes_no_pdu_when_the_prompt_never_comes_after_the_handover():
    port = FakePort()
    channel = ATChannel(port)
    recorded = []
    with pytest.raises(NoAnswer):
        channel.submit_pdu(
            PDU, 19, before_handover=lambda: recorded.append(True), prompt_timeout=0.3
        )
    assert recorded == [True]
    assert port.written == b"AT+CMGS=19\r" + ESC


def test_it_cancels_the_prompt_and_sends_nothing_when_recording_the_handover_fails():
    port = FakePort(b"\r\n> ")
    channel = ATChannel(port)

    def cannot_record() -> None:
        raise RuntimeError("database locked")

    with pytest.raises(RuntimeError):
        channel.submit_pdu(PDU, 19, before_handover=cannot_record, timeout=2)
    assert port.written == b"AT+CMGS=19\r" + ESC


@pytest.mark.parametrize(
    "after_ctrl_z",
    [b"", b"\r\nRDY\r\n", b"\r\n+QIND: SMS DONE\r\n"],
    ids=["silence", "restart", "quectel restart"],
)
def test_it_says_the_outcome_is_unknown_when_no_answer_follows_the_ctrl_z(after_ctrl_z):
    channel = ATChannel(FakePort(b"\r\n> ", after_ctrl_z))
    started = time.monotonic()
    with pytest.raises(SubmitOutcomeUnknown):
        channel.submit_pdu(PDU, 19, timeout=0.5)
    assert time.monotonic() - started < 1.0


def test_it_says_the_outcome_is_unknown_when_the_port_dies_after_the_ctrl_z():
    class DyingPort(FakePort):
        def read(self, size: int = 1) -> bytes:
            if self.written.endswith(b"\x1a"):
                raise OSError(5, "Input/output error")
            return super().read(size)

    with pytest.raises(SubmitOutcomeUnknown):
        ATChannel(DyingPort(b"\r\n> ")).submit_pdu(PDU, 19, timeout=2)


def test_it_treats_an_answered_refusal_after_the_ctrl_z_as_known():
    channel = ATChannel(FakePort(b"\r\n> ", b"\r\n+CMS ERROR: 42\r\n"))
    with pytest.raises(ModemError) as raised:
        channel.submit_pdu(PDU, 19, timeout=2)
    assert not isinstance(raised.value, SubmitOutcomeUnknown)
    assert raised.value.code == 42


def test_it_takes_an_ok_without_a_reference_as_sent():
    channel = ATChannel(FakePort(b"\r\n> ", b"\r\n+CMGS: ~garbled\r\n\r\nOK\r\n"))
    assert channel.submit_pdu(PDU, 19, timeout=2) is None


def test_it_reports_a_port_that_died_while_being_set_up_as_a_port_error():
    class DeadPort(FakePort):
        """pyserial reconfigures the port when its timeout is set: a dead port fails."""

        def __setattr__(self, name: str, value: object) -> None:
            if name == "timeout" and hasattr(self, "timeout"):
                raise OSError(5, "Could not configure port: Input/output error")
            super().__setattr__(name, value)

    with pytest.raises(PortError):
        ATChannel(DeadPort()).command("AT", timeout=1)


def test_it_drops_the_late_answer_to_a_cancelled_prompt_before_the_next_command():
    port = FakePort(b"\r\nOK\r\n", b"\r\nOK\r\n")
    port.arrive(b"\r\nERROR\r\n")  # the modem's answer to the ESC that left a prompt
    channel = ATChannel(port)
    channel.resynchronise()
    assert channel.command("ATE0") == []
    assert port.written == b"AT\rATE0\r"


def test_it_leaves_a_forgotten_prompt_until_the_modem_answers_at():
    port = FakePort(b"\r\n> ", b"\r\nERROR\r\n", b"\r\nOK\r\n")
    channel = ATChannel(port)
    channel.resynchronise()
    assert port.written == b"AT\r" + ESC + b"\rAT\r"


def test_it_keeps_the_unsolicited_lines_it_drains_and_drops_the_stale_answers():
    port = FakePort(b"\r\nOK\r\n", b"\r\nOK\r\n")
    report = "07913306091093F006010B913306000000F0621152412320006211524123300000"
    port.arrive(
        b'\r\n+CMGS: 7\r\n\r\nOK\r\n\r\nRING\r\n\r\n+CLIP: "+33612345678",145\r\n'
        + f'\r\n+CDS: 25\r\n{report}\r\n\r\nRDY\r\n\r\n+CMTI: "SM",'.encode()
    )
    channel = ATChannel(port)
    channel.resynchronise()
    assert channel.poll_urcs(0) == ["RING", '+CLIP: "+33612345678",145', f"+CDS: 25\n{report}"]
    assert channel.command("ATE0") == []
