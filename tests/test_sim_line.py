"""A simulator paced as a serial line (`baud`): bytes take the line's time both ways."""

from __future__ import annotations

import time

import pytest
import serial
from serial_port import answer, read_for, read_until

from modem.sim import SimulatedModem, line
from modem.sim.line import BITS_PER_BYTE
from modem.sim.transcript import FROM_CLIENT, TO_CLIENT, read_bytes

BAUD = 115200
# ATI's answer is a few lines: 160 exchanges move over 11,520 bytes, a second of
# line at 115200 baud, against a few milliseconds through the bare pty.
EXCHANGES = 160


def converse(sim: SimulatedModem) -> tuple[list[bytes], int, float]:
    """The answers to EXCHANGES ATI, one after the other as a client waits for each,
    the bytes both ways, and the seconds the conversation took."""
    with serial.Serial(str(sim.link), BAUD, timeout=0.05) as port:
        answer(port, "AT")  # the port is open and the modem listening
        answers = []
        started = time.monotonic()
        for _ in range(EXCHANGES):
            answers.append(answer(port, "ATI"))
        elapsed = time.monotonic() - started
    moved = sum(len(b"ATI\r") + len(reply) for reply in answers)
    return answers, moved, elapsed


def test_a_paced_line_takes_at_least_its_time_and_changes_no_byte(tmp_path):
    with SimulatedModem(tmp_path / "bare") as bare:
        unpaced_answers, moved, _ = converse(bare)
    with SimulatedModem(tmp_path / "paced", baud=BAUD) as paced:
        paced_answers, paced_moved, elapsed = converse(paced)
        assert paced.status()["baud"] == BAUD
    assert paced_answers == unpaced_answers
    assert paced_moved == moved
    # One command's bytes cross before its answer's, which cross before the next
    # command: the conversation takes at least the line time of every byte in it.
    line_time = moved * BITS_PER_BYTE / BAUD
    assert line_time > 1.0
    assert elapsed >= line_time


@pytest.mark.parametrize("baud", [0, -9600])
def test_a_line_needs_a_positive_rate(tmp_path, baud):
    with pytest.raises(ValueError, match="baud must be positive"):
        SimulatedModem(tmp_path / "modem", baud=baud)


def test_its_transcript_reads_back_as_the_bytes_of_the_line(tmp_path):
    written = [b"ATE1\r", b"AT+CSCS=?\r", b'AT+CPMS="SM"\r', b"AT+CMGS=1\r", b"\\00\x1a"]
    read = b""
    sim = SimulatedModem(tmp_path / "modem", transcript=tmp_path / "modem.log")
    with sim, serial.Serial(str(sim.link), BAUD, timeout=0.05) as port:
        for command in written:
            port.write(command)
            read += read_until(port, b"\r\n", timeout=3.0)
            read += read_for(port, 0.2)
    records = list(read_bytes(tmp_path / "modem.log"))
    assert b"".join(data for way, data in records if way == FROM_CLIENT) == b"".join(written)
    assert b"".join(data for way, data in records if way == TO_CLIENT) == read


class FakeTime:
    """time.monotonic and time.sleep for `modem.sim.line`: each sleep oversleeps by
    `late` seconds, as a thread woken behind other work does."""

    def __init__(self, late: float):
        self.now = 100.0
        self.late = late
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds + self.late


def test_bytes_that_were_waiting_follow_the_ones_before_without_the_late_wakeup(monkeypatch):
    fake = FakeTime(late=0.002)
    monkeypatch.setattr(line, "time", fake)
    clock = line.LineClock(BAUD)
    per_byte = BITS_PER_BYTE / BAUD
    clock.wait_for(64)
    clock.wait_for(56, queued=True)
    # The 120 bytes end 120 bytes' time after the first started: the wakeup that came
    # late after the first 64 does not delay the 56 that were already there.
    assert fake.now - fake.late == pytest.approx(100.0 + 120 * per_byte)
    # Bytes that came after the line fell idle start when they came.
    fake.now += 1.0
    started = fake.now
    clock.wait_for(10)
    assert fake.slept[-1] == pytest.approx(10 * per_byte)
    assert fake.now - fake.late == pytest.approx(started + 10 * per_byte)


def test_an_answer_leaves_when_what_it_answers_crossed_not_when_the_simulator_woke(monkeypatch):
    fake = FakeTime(late=0.0001)
    monkeypatch.setattr(line, "time", fake)
    heard, said = line.LineClock(BAUD), line.LineClock(BAUD)
    per_byte = BITS_PER_BYTE / BAUD
    heard.wait_for(11)  # AT+CMGS=58\r
    crossed = heard.free_at
    assert crossed == pytest.approx(100.0 + 11 * per_byte)
    fake.now += 0.0001  # the simulator parses it
    said.wait_for(4, answering=crossed)  # \r\n>
    # The prompt reaches the client 4 bytes' time after the command's last byte: the
    # late wakeup and the parsing overlapped its crossing.
    assert fake.now - fake.late == pytest.approx(crossed + 4 * per_byte)
    # Never before the bytes ahead of it on the same line.
    said.wait_for(4, answering=crossed)
    assert fake.now - fake.late == pytest.approx(crossed + 8 * per_byte)
