"""Driving a simulated modem through its control socket: from Python, and with `smsbox sim`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import serial
from serial_port import answer, read_until
from waiting import wait_until

from modem.pdu_encoding import encode_deliver, encode_submit
from modem.sim import SimulatedModem
from modem.sim.control import ControlError, request

SMSBOX = str(Path(sys.executable).parent / "smsbox")
SENDER = "+33611111111"
RECIPIENT = "+33612345678"
SMSC = "+33609001390"
(RAW_PDU,) = encode_deliver(SENDER, "brut", smsc=SMSC, sent_at=datetime(2024, 5, 1, tzinfo=UTC))


def raw_request(path: Path, payload: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(str(path))
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        return json.loads(b"".join(iter(lambda: client.recv(4096), b"")))


# -- from Python -----------------------------------------------------------------------------


@pytest.fixture
def sim(tmp_path) -> Iterator[SimulatedModem]:
    with SimulatedModem(tmp_path / "modem", control=tmp_path / "sim.sock") as simulated:
        yield simulated


def test_it_answers_requests_on_its_control_socket(sim):
    assert request(sim.control_path, "deliver", sender=SENDER, text="hello") == {
        "ok": True,
        "parts": 1,
    }
    wait_until(lambda: request(sim.control_path, "status")["status"]["storages"]["SM"]["used"])
    assert request(sim.control_path, "status")["status"]["link"] == str(sim.link)
    assert request(sim.control_path, "sent") == {"ok": True, "messages": []}
    reply = request(sim.control_path, "report", delay=0.5, outcome="expired")
    assert (reply["delay"], reply["outcome"]) == (0.5, "expired")
    request(sim.control_path, "fault", kind="error", count=2, code=42, error_kind="CME")
    assert sim.status()["faults"]["errors"] == ["+CME ERROR 42"] * 2


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"not json\n", "not JSON"),
        (b"[1, 2]\n", '"action"'),
        (b'{"action": "fly"}\n', "unknown action"),
        (b'{"action": "fault", "kind": "vanish"}\n', "missing parameter 'seconds'"),
        (b'{"action": "fault", "kind": "melt"}\n', "unknown fault 'melt'"),
        (b'{"action": "fault", "kind": "slow", "seconds": "x"}\n', "'seconds' must be a number"),
        (b'{"action": "fault", "kind": "slow", "seconds": -1}\n', "must not be negative"),
        (b'{"action": "deliver", "sender": 33, "text": "x"}\n', "'sender' must be a string"),
        (b'{"action": "status", "verbose": true}\n', "unknown parameter(s): verbose"),
        (b'{"action": "report", "outcome": "lost"}\n', "delivered, expired, failed"),
        (b'{"action": "deliver", "pdu": "07913Z"}\n', "not hex"),
        (b'{"action": "deliver", "pdu": "00", "text": "x"}\n', "either 'pdu' or"),
        (b'{"action": "deliver", "text": "x"}\n', "missing parameter 'sender'"),
    ],
)
def test_it_refuses_a_bad_request_clearly_and_keeps_running(sim, payload, error):
    reply = raw_request(sim.control_path, payload)
    assert reply["ok"] is False
    assert error in reply["error"]
    assert request(sim.control_path, "status")["ok"]


def stored_pdus(sim: SimulatedModem) -> list[str]:
    return [stored.pdu for stored in sim.engine.storage.messages.values()]


def test_it_delivers_a_raw_pdu_as_the_network_gives_it(sim):
    for _ in range(3):
        sim.deliver_pdu(RAW_PDU.lower())
    assert request(sim.control_path, "deliver", pdu=RAW_PDU) == {"ok": True, "parts": 1}
    wait_until(lambda: len(stored_pdus(sim)) == 4)
    assert stored_pdus(sim) == [RAW_PDU] * 4


@pytest.mark.parametrize(
    ("pdu", "error"),
    [
        ("", "empty"),
        ("07913306091093F0zz", "not hex"),
        ("0791330", "odd number of hex digits"),
        ("00" * 200, "longer than any SMS"),
        ("0791330609", "SMSC address"),
    ],
)
def test_it_refuses_a_raw_pdu_that_cannot_be_one_and_says_why(sim, pdu, error):
    with pytest.raises(ValueError, match=error):
        sim.deliver_pdu(pdu)
    assert sim.waiting == 0


def test_it_raises_the_simulators_refusal(sim):
    with pytest.raises(ControlError, match="unknown fault"):
        request(sim.control_path, "fault", kind="melt")


def test_it_says_clearly_when_no_simulator_listens(tmp_path):
    with pytest.raises(ControlError, match=r"no control socket at .*missing\.sock"):
        request(tmp_path / "missing.sock", "status")
    stale = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(stale))
    with pytest.raises(ControlError, match="nothing listens"):
        request(stale, "status")


def test_it_takes_over_a_stale_socket_but_not_a_live_one(tmp_path):
    path = tmp_path / "sim.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))
    with SimulatedModem(tmp_path / "modem0", control=path):
        assert request(path, "status")["ok"]
        with pytest.raises(FileExistsError, match="another simulated modem"):
            SimulatedModem(tmp_path / "modem1", control=path).start()
        assert request(path, "status")["ok"]
    assert not path.exists()


def test_it_serves_a_socket_deeper_than_a_unix_path_can_name(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    with SimulatedModem(tmp_path / "modem", control=deep / "sim.sock"):
        assert request(deep / "sim.sock", "status")["ok"]


# -- from the command line -----------------------------------------------------------------


def smsbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SMSBOX, *args], capture_output=True, text=True, encoding="utf-8", timeout=30, check=False
    )


@dataclass
class Running:
    link: Path
    control: Path
    transcript: Path
    process: subprocess.Popen

    def sim(self, *args: str, json_output: bool = False):
        command, *rest = args
        result = smsbox("sim", command, "--control", str(self.control), *rest)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if json_output else result.stdout


@pytest.fixture
def running(tmp_path) -> Iterator[Running]:
    link, control = tmp_path / "modem", tmp_path / "sim.sock"
    transcript = tmp_path / "transcript.log"
    process = subprocess.Popen(
        [
            *(SMSBOX, "sim", "run", "--link", str(link), "--control", str(control)),
            *("--transcript", str(transcript), "--report-delay", "0.1", "--baud", "115200"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    try:
        wait_until(lambda: control.exists() or process.poll() is not None)
        assert process.poll() is None, process.communicate()[0]
        yield Running(link, control, transcript, process)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
    assert not control.exists()


@pytest.fixture
def port(running) -> Iterator[serial.Serial]:
    with serial.Serial(str(running.link), 115200, timeout=0.05) as opened:
        answer(opened, "ATE0")
        answer(opened, "AT+CMEE=1;+CNMI=2,1,0,1,0;+CLIP=1")
        yield opened


def submit(port: serial.Serial, text: str) -> None:
    for part in encode_submit(RECIPIENT, text, status_report=False):
        port.write(f"AT+CMGS={part.tpdu_length}\r".encode())
        read_until(port, b"> ")
        port.write(part.hex.encode() + b"\x1a")
        read_until(port, b"OK\r\n")


def test_it_delivers_an_sms_from_the_command_line(running, port):
    assert "1 part(s)" in running.sim("deliver", "--from", SENDER, "Bonjour é 😀")
    read_until(port, b'+CMTI: "SM",1')
    reply = running.sim(
        "deliver", "--from", SENDER, "--class", "0", "flash", "--json", json_output=True
    )
    assert reply == {"ok": True, "parts": 1}
    read_until(port, b'+CMTI: "SM",2')


def test_it_delivers_a_raw_pdu_from_the_command_line(running, port):
    assert "1 part(s)" in running.sim("deliver", "--pdu", RAW_PDU)
    read_until(port, b'+CMTI: "SM",1')
    assert RAW_PDU.encode() in answer(port, "AT+CMGR=1")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((), "--from NUMBER and TEXT, or --pdu HEX"),
        (("--from", SENDER), "--from NUMBER and TEXT, or --pdu HEX"),
        (("--pdu", RAW_PDU, "text"), "--pdu replaces --from, --class and TEXT"),
        (("--pdu", RAW_PDU, "--from", SENDER), "--pdu replaces --from, --class and TEXT"),
        (("--pdu", "nothex"), "not hex"),
    ],
)
def test_it_takes_exactly_one_form_of_delivery_from_the_command_line(running, args, error):
    result = smsbox("sim", "deliver", "--control", str(running.control), *args)
    assert result.returncode == 1
    assert result.stderr.startswith("smsbox: ")
    assert error in result.stderr


def test_it_lists_what_the_modem_sent_as_lines_and_as_json(running, port):
    long_text = "Réponse longue 😀 " * 10
    submit(port, "first")
    submit(port, long_text)
    lines = running.sim("sent").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"to {RECIPIENT} (1 part(s)): first")
    messages = running.sim("sent", "--json", json_output=True)
    assert [(sms["recipient"], sms["text"]) for sms in messages] == [
        (RECIPIENT, "first"),
        (RECIPIENT, long_text),
    ]
    assert messages[1]["parts"] > 1
    running.process.send_signal(signal.SIGINT)
    output = running.process.communicate(timeout=10)[0]
    assert f"SMS to {RECIPIENT}: first" in output


def test_it_rings_from_the_command_line(running, port):
    assert SENDER in running.sim("call", "--from", SENDER, "--rings", "1", "--interval", "0.1")
    assert f'+CLIP: "{SENDER}"'.encode() in read_until(port, b"NO CARRIER")  # caller gave up
    assert running.sim("call", "--withheld", "--rings", "1", "--json", json_output=True)["ok"]
    read_until(port, b"RING")


def test_it_configures_delivery_reports_from_the_command_line(running):
    assert "expired after 0.2 s" in running.sim("report", "--delay", "0.2", "--outcome", "expired")
    reply = running.sim("report", "--json", json_output=True)
    assert (reply["delay"], reply["outcome"]) == (0.2, "expired")


def test_it_shows_its_status_for_people_and_for_scripts(running):
    human = running.sim("status")
    assert f"at {running.link}, port present paced at 115200 baud," in human
    assert "faults    none" in human
    status = running.sim("status", "--json", json_output=True)
    assert status["profile"] == "sim800"
    assert status["baud"] == 115200
    assert status["network"]["report_delay"] == 0.1


def test_it_injects_every_fault_from_the_command_line(running, port):
    running.sim("fault", "error", "--count", "2", "--code", "500", "--kind", "CMS")
    assert answer(port, "AT", b"500\r\n") == b"\r\n+CMS ERROR: 500\r\n"
    assert answer(port, "AT", b"500\r\n") == b"\r\n+CMS ERROR: 500\r\n"
    running.sim("fault", "garbage", "--lines", "2", "--now")
    read_until(port, b"\r\n\r\n")
    running.sim("fault", "storage-full")
    running.sim("fault", "slow", "--seconds", "0.2")
    faults = running.sim("status", "--json", json_output=True)["faults"]
    assert (faults["storage_full"], faults["submit_delay"]) == (True, 0.2)
    assert "faults    each submission takes 0.2 s; message storage full\n" in running.sim("status")
    running.sim("fault", "storage-full", "--off")
    assert "message storage full" not in running.sim("status")
    reply = running.sim("fault", "silence", "--seconds", "0.3", "--json", json_output=True)
    assert reply == {"ok": True}
    running.sim("fault", "urc-inside", "--count", "2")
    assert "unsolicited lines inside the next 2 answer(s)" in running.sim("status")
    running.sim("fault", "urc-inside", "--count", "0")
    running.sim("fault", "reboot")
    running.sim("fault", "vanish", "--seconds", "0.3")
    assert not running.link.exists()
    wait_until(running.link.exists)

    transcript = running.transcript.read_text()
    for event in (
        "## fault: next 2 command(s) answer +CMS ERROR 500",
        "## fault: 2 garbage line(s) written now",
        "## fault: message storage full",
        "## fault over: message storage has room again",
        "## fault: each submission takes 0.2 s",
        "## fault: silent for 0.3 s",
        "## fault: unsolicited lines inside the next 2 answer(s)",
        "## modem rebooted",
        "## port vanished",
    ):
        assert event in transcript
    assert "<- AT\\r" in transcript
    assert "-> \\r\\n+CMS ERROR: 500\\r\\n" in transcript


def test_it_fails_cleanly_without_a_simulator_or_with_a_bad_value(running, tmp_path):
    result = smsbox("sim", "status", "--control", str(tmp_path / "missing.sock"))
    assert result.returncode == 1
    assert "no control socket at" in result.stderr
    assert "Traceback" not in result.stderr
    result = smsbox("sim", "fault", "--control", str(running.control), "slow", "--seconds", "-1")
    assert result.returncode == 1
    assert result.stderr.startswith("smsbox: ")
    assert "must not be negative" in result.stderr


def test_it_refuses_an_unknown_profile_by_name(tmp_path):
    result = smsbox("sim", "run", "--link", str(tmp_path / "modem"), "--profile", "nokia3310")
    assert result.returncode == 1
    assert "unknown profile 'nokia3310'; known: " in result.stderr
    assert "sim800" in result.stderr
    assert not (tmp_path / "modem").exists()


def test_it_refuses_a_line_rate_that_is_not_positive(tmp_path):
    result = smsbox("sim", "run", "--link", str(tmp_path / "modem"), "--baud", "0")
    assert result.returncode == 1
    assert result.stderr == "smsbox: baud must be positive\n"
    assert not (tmp_path / "modem").exists()
