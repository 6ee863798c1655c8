"""Faults on demand, seen as a client sees them: through pyserial on the simulator's pty."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import serial
from serial_port import answer, read_for, read_until
from waiting import wait_until

from modem.pdu import decode
from modem.pdu_encoding import encode_submit
from modem.sim import SimulatedModem

SENDER = "+33611111111"
RECIPIENT = "+33612345678"
CTRL_Z = b"\x1a"


def lines_of(data: bytes) -> list[str]:
    return [line for line in data.decode("latin-1").split("\r\n") if line]


@pytest.fixture
def sim(tmp_path) -> Iterator[SimulatedModem]:
    with SimulatedModem(tmp_path / "modem", transcript=tmp_path / "transcript.log") as simulated:
        yield simulated


@pytest.fixture
def port(sim) -> Iterator[serial.Serial]:
    """The port as the daemon sets it up: no echo, numeric errors, +CMTI notices."""
    with serial.Serial(str(sim.link), 115200, timeout=0.05) as opened:
        answer(opened, "ATE0")
        answer(opened, "AT+CMEE=1;+CNMI=2,1,0,1,0")
        yield opened


def test_it_answers_the_next_commands_with_the_cms_error_asked_for(sim, port):
    sim.fail_next(2, code=500)
    assert answer(port, "AT", b"\r\n") + read_for(port, 0.05) == b"\r\n+CMS ERROR: 500\r\n"
    assert answer(port, "AT+CSQ", b"500\r\n") == b"\r\n+CMS ERROR: 500\r\n"
    assert answer(port, "AT") == b"\r\nOK\r\n"


def test_it_answers_cme_errors_verbose_or_plain_as_cmee_says(sim, port):
    sim.fail_next(1, code=100, kind="CME")
    assert answer(port, "AT", b"100\r\n") == b"\r\n+CME ERROR: 100\r\n"
    answer(port, "AT+CMEE=2")
    sim.fail_next(1, code=42)
    assert answer(port, "AT", b"congestion\r\n") == b"\r\n+CMS ERROR: congestion\r\n"
    answer(port, "AT+CMEE=0")
    sim.fail_next(1, code=330)
    assert answer(port, "AT", b"ERROR\r\n") == b"\r\nERROR\r\n"


def test_it_answers_plain_error_when_no_code_is_given(sim, port):
    sim.fail_next(1)
    assert answer(port, "AT+CMGF=0", b"ERROR\r\n") == b"\r\nERROR\r\n"
    assert answer(port, "AT+CMGF?").startswith(b"\r\n+CMGF: 0")


def test_it_neither_echoes_nor_answers_while_silent(sim, port):
    answer(port, "ATE1")
    sim.go_silent(0.3)
    started = time.monotonic()
    port.write(b"AT\r")
    assert read_for(port, 0.2) == b""
    wait_until(lambda: time.monotonic() - started > 0.35)
    assert answer(port, "AT") == b"AT\r\r\nOK\r\n"


def test_it_writes_garbage_lines_before_the_next_answer(sim, port):
    sim.send_garbage(3)
    assert read_for(port, 0.1) == b""
    *garbage, result = lines_of(answer(port, "AT"))
    assert len(garbage) == 3
    assert result == "OK"
    assert all(line.isprintable() and line != "OK" for line in garbage)
    assert answer(port, "AT") == b"\r\nOK\r\n"


def test_it_writes_garbage_right_away_when_asked(sim, port):
    sim.send_garbage(2, now=True)
    data = read_until(port, b"\r\n", timeout=1) + read_for(port, 0.1)
    assert len(lines_of(data)) == 2
    assert answer(port, "AT") == b"\r\nOK\r\n"


def test_it_vanishes_then_comes_back_at_the_same_path_rebooted(sim, port):
    link = sim.link
    sim.vanish(0.3)
    assert not link.exists()
    with pytest.raises((serial.SerialException, OSError)):
        port.write(b"AT\r")
        port.read(10)
    wait_until(link.exists)
    with serial.Serial(str(link), 115200, timeout=0.05) as again:
        # Boot messages may come first, as from a modem re-enumerating on USB.
        assert answer(again, "AT").endswith(b"AT\r\r\nOK\r\n")  # echo back on
        assert b"+CNMI: 0,0,0,0,0" in answer(again, "AT+CNMI?")  # indications off
    assert sim.status()["port"] == "present"


def test_it_says_memory_full_and_holds_messages_until_a_deletion_frees_room(sim, port):
    sim.deliver(SENDER, "already there")
    read_until(port, b'+CMTI: "SM",1')
    sim.storage_full()
    assert answer(port, "AT+CMGW=20", b"322\r\n") == b"\r\n+CMS ERROR: 322\r\n"

    sim.deliver(SENDER, "held by the network")
    assert b"+CMTI" not in read_for(port, 0.3)
    assert sim.status()["network"]["waiting"] == 1

    port.write(b"AT+CMGD=1\r")
    read_until(port, b'+CMTI: "SM",1')
    _, pdu, _ = lines_of(answer(port, "AT+CMGR=1"))
    assert decode(pdu)["Text"] == "held by the network"
    assert sim.status()["network"]["waiting"] == 0


def test_it_delivers_held_messages_once_storage_full_is_lifted(sim, port):
    sim.storage_full()
    sim.deliver(SENDER, "waiting")
    assert b"+CMTI" not in read_for(port, 0.2)
    assert sim.status()["faults"]["storage_full"]
    sim.storage_full(False)
    read_until(port, b'+CMTI: "SM",1')
    assert not sim.status()["faults"]["storage_full"]


def test_it_reboots_with_factory_settings_and_boot_messages(sim, port):
    sim.reboot()
    boot = read_until(port, sim.engine.profile.boot_urcs[-1].encode())
    assert all(line.encode() in boot for line in sim.engine.profile.boot_urcs)
    assert answer(port, "AT") == b"AT\r\r\nOK\r\n"
    assert b"+CNMI: 0,0,0,0,0" in answer(port, "AT+CNMI?")


def submit(port: serial.Serial, text: str, *, status_report: bool = False) -> bytes:
    (part,) = encode_submit(RECIPIENT, text, status_report=status_report)
    port.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    read_until(port, b"> ")
    port.write(part.hex.encode() + CTRL_Z)
    return read_until(port, b"OK\r\n")


def test_it_takes_the_time_asked_for_each_submission_in_slow_mode(sim, port):
    sim.slow(0.3)
    started = time.monotonic()
    assert b"+CMGS: " in submit(port, "slowly")
    assert time.monotonic() - started >= 0.3
    sim.slow(0)
    started = time.monotonic()
    submit(port, "quickly")
    assert time.monotonic() - started < 0.3
    assert [sms.text for sms in sim.sent()] == ["slowly", "quickly"]


def test_it_sends_status_reports_with_the_configured_delay_and_outcome(sim, port):
    sim.configure_reports(delay=0.1, outcome="failed")
    started = time.monotonic()
    submit(port, "report me", status_report=True)
    data = read_until(port, b"+CDS: ") + read_for(port, 0.1)
    assert time.monotonic() - started >= 0.1
    report = lines_of(data[data.index(b"+CDS: ") :])[1]
    assert decode(report)["Type"] == "Status_Report"
    assert decode(report)["DeliveryStatus"] == 0x41  # permanent error, 3GPP TS 23.040 §9.2.3.15
    with pytest.raises(ValueError, match="outcome"):
        sim.configure_reports(outcome="lost")


def test_it_delivers_a_class_0_message(sim, port):
    answer(port, "AT+CNMI=2,2,0,0,0")
    assert sim.deliver(SENDER, "flash", message_class=0) == 1
    data = read_until(port, b"+CMT: ") + read_for(port, 0.1)
    pdu = lines_of(data[data.index(b"+CMT: ") :])[1]
    assert decode(pdu)["Class"] == 0
    assert decode(pdu)["Text"] == "flash"


def test_it_rings_with_the_callers_number(sim, port):
    answer(port, "AT+CLIP=1")
    sim.call(SENDER, rings=2, interval=0.1)
    data = read_until(port, b"RING") + read_until(port, f'"{SENDER}"'.encode())
    assert b"+CLIP" in data
    read_until(port, b"NO CARRIER")  # the caller gave up
    sim.call(None, rings=1, interval=0.1)
    assert b"RING" in read_until(port, b"RING")


def test_it_reports_pending_faults_in_its_status(sim, port):
    sim.fail_next(2, code=38)
    sim.send_garbage(1)
    sim.slow(0.5)
    faults = sim.status()["faults"]
    assert faults["errors"] == ["+CMS ERROR 38", "+CMS ERROR 38"]
    assert faults["garbage_lines"] == 1
    assert faults["submit_delay"] == 0.5
    settings = sim.status()["settings"]
    assert (settings["echo"], settings["cmee"], settings["cnmi"]) == (False, 1, [2, 1, 0, 1, 0])


def test_it_refuses_faults_that_make_no_sense(sim):
    for bad in (
        lambda: sim.fail_next(0),
        lambda: sim.fail_next(1, 500, kind="XYZ"),
        lambda: sim.go_silent(-1),
        lambda: sim.send_garbage(0),
        lambda: sim.vanish(0),
        lambda: sim.slow(-1),
    ):
        with pytest.raises(ValueError):
            bad()


def test_it_writes_both_directions_and_each_fault_to_the_transcript(sim, port, tmp_path):
    sim.fail_next(2, code=500)
    answer(port, "AT", b"500\r\n")
    sim.go_silent(0.1)
    sim.send_garbage(1)
    sim.storage_full()
    sim.slow(0.1)
    sim.vanish(0.1)
    wait_until(lambda: "modem rebooted" in (tmp_path / "transcript.log").read_text())
    transcript = (tmp_path / "transcript.log").read_text()
    for expected in (
        "Z <- ATE0\\r\n",
        "Z -> \\r\\nOK\\r\\n\n",
        "Z <- AT\\r\n",
        "Z -> \\r\\n+CMS ERROR: 500\\r\\n\n",
        "## fault: next 2 command(s) answer +CMS ERROR 500",
        "## fault: silent for 0.1 s",
        "## fault: 1 garbage line(s) before the next answer",
        "## fault: message storage full",
        "## fault: each submission takes 0.1 s",
        "## port vanished",
        "## modem rebooted",
    ):
        assert expected in transcript
    first = transcript.splitlines()[0]
    assert first[:4].isdigit() and first[10] == "T" and first.split(" ")[0].endswith("Z")


def test_it_drops_what_nobody_reads_instead_of_stalling(sim, tmp_path):
    events: list[str] = []
    sim.on_event = events.append
    for _ in range(40):
        sim.engine.emit_noise(100)  # far more than a pty buffers
    wait_until(lambda: any("dropped: nobody reads the port" in event for event in events))

    with serial.Serial(str(sim.link), 115200, timeout=0.05) as late:
        late.reset_input_buffer()
        late.write(b"ATE0\r")
        # Noise still queued may come around the answer, in any chunking.
        assert b"\r\nOK\r\n" in read_until(late, b"\r\nOK\r\n", timeout=10)


def test_it_refuses_a_command_it_is_told_to_lack_every_time_and_says_so(sim, port):
    sim.refuse("AT+CNMI")
    for _ in range(2):
        assert answer(port, "AT+CNMI=2,1,0,0,0", b"3\r\n") == b"\r\n+CME ERROR: 3\r\n"
    assert answer(port, "AT+CNMI?", b"3\r\n") == b"\r\n+CME ERROR: 3\r\n"
    assert answer(port, "AT+CMGF=0") == b"\r\nOK\r\n"
    assert sim.status()["faults"]["refused"] == ["+CNMI"]
    assert "fault: AT+CNMI refused from now on" in sim.transcript_path.read_text()


def test_it_knows_only_extended_commands_to_refuse(sim):
    with pytest.raises(ValueError, match="no extended AT command"):
        sim.refuse("ATE0")
