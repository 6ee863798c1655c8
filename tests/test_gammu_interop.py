"""The real Gammu against the simulated modem: what it sends is what the network records."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import gammu
import pytest

from modem.sim import SimulatedModem
from modem.sim.profiles import PROFILES

LONG_UNICODE = "Réunion demain 9 h — salle « Ça va » ✓ 😀 " * 6

SMSBOX = str(Path(sys.executable).parent / "smsbox")
needs_gammu = pytest.mark.skipif(shutil.which("gammu") is None, reason="Debian's gammu is needed")


@pytest.fixture
def sim(tmp_path):
    with SimulatedModem(tmp_path / "modem") as simulated:
        yield simulated


def write_gammurc(tmp_path: Path, device: Path) -> Path:
    config = tmp_path / "gammurc"
    config.write_text(
        f"[gammu]\ndevice = {device}\nconnection = at115200\n"
        f"logfile = {tmp_path / 'gammu.log'}\nlogformat = textall\n"
    )
    return config


@pytest.fixture
def gammurc(tmp_path, sim) -> Path:
    return write_gammurc(tmp_path, sim.link)


def run_gammu(gammurc: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["gammu", "-c", str(gammurc), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def send_long_unicode_with_gammu(gammurc: Path) -> None:
    run_gammu(
        gammurc, "sendsms", "TEXT", "+33612345678", "-unicode", "-autolen", "600",
        "-text", LONG_UNICODE,
    )  # fmt: skip


def state_machine(sim: SimulatedModem) -> gammu.StateMachine:
    machine = gammu.StateMachine()
    machine.SetConfig(0, {"Device": str(sim.link), "Connection": "at115200"})
    machine.Init()
    return machine


@needs_gammu
def test_it_identifies_itself_to_gammu(gammurc):
    output = run_gammu(gammurc, "--identify")
    assert "SIMCOM_Ltd" in output
    assert "867856030000001" in output


@needs_gammu
def test_it_records_a_long_unicode_sms_sent_by_gammu_character_for_character(gammurc, sim):
    send_long_unicode_with_gammu(gammurc)
    (submitted,) = sim.sent()
    assert submitted.recipient == "+33612345678"
    assert submitted.text == LONG_UNICODE
    assert len(submitted.parts) > 1


def test_it_lets_python_gammu_send_a_long_unicode_sms(sim):
    machine = state_machine(sim)
    encoded = gammu.EncodeSMS(
        {
            "Class": -1,
            "Unicode": True,
            "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": LONG_UNICODE}],
        }
    )
    for part in encoded:
        part["SMSC"] = {"Location": 1}
        part["Number"] = "+33698765432"
        machine.SendSMS(part)
    machine.Terminate()

    (submitted,) = sim.sent()
    assert (submitted.recipient, submitted.text) == ("+33698765432", LONG_UNICODE)


@pytest.mark.gammu_client_links_sms
def test_it_lets_python_gammu_list_and_delete_messages_the_network_delivered(sim):
    sim.deliver("+33611111111", "Premier message, accentué")
    sim.deliver("+33622222222", LONG_UNICODE)
    machine = state_machine(sim)
    part_count = 1 + len(sim.network.deliver_pdus("+33622222222", LONG_UNICODE))
    stored = wait_for_stored(machine, part_count)

    linked = gammu.LinkSMS([[message] for message in stored])
    texts = {}
    for group in linked:
        decoded = gammu.DecodeSMS(group)
        text = (
            "".join(entry["Buffer"] for entry in decoded["Entries"])
            if decoded
            else group[0]["Text"]
        )
        texts[group[0]["Number"]] = text
    assert texts == {"+33611111111": "Premier message, accentué", "+33622222222": LONG_UNICODE}

    for message in stored:
        machine.DeleteSMS(message["Folder"], message["Location"])
    machine.Terminate()
    assert not sim.engine.storage.messages


@needs_gammu
def test_it_lets_the_gammu_command_list_and_delete_all_messages(gammurc, sim):
    sim.deliver("+33611111111", "Bonjour de Gammu")
    output = run_gammu(gammurc, "getallsms")
    assert "Bonjour de Gammu" in output
    assert "+33611111111" in output
    run_gammu(gammurc, "deleteallsms", "1")
    assert not sim.engine.storage.messages


def wait_for_stored(machine: gammu.StateMachine, count: int) -> list[dict]:
    """Every SMS in the modem's storage, read the way Gammu's tools do."""
    deadline = time.monotonic() + 10
    while True:
        messages = []
        start = True
        while True:
            try:
                if start:
                    batch = machine.GetNextSMS(Start=True, Folder=0)
                    start = False
                else:
                    batch = machine.GetNextSMS(Location=batch[0]["Location"], Folder=0)
            except gammu.ERR_EMPTY:
                break
            messages += batch
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.1)


@needs_gammu
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_it_shows_on_the_command_line_what_gammu_sent_under_every_profile(tmp_path, profile):
    link, control = tmp_path / "modem", tmp_path / "sim.sock"
    simulator = subprocess.Popen(
        [
            SMSBOX,
            "sim",
            "run",
            "--link",
            str(link),
            "--control",
            str(control),
            "--profile",
            profile,
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not control.exists():
            assert time.monotonic() < deadline and simulator.poll() is None
            time.sleep(0.05)
        gammurc = write_gammurc(tmp_path, link)
        send_long_unicode_with_gammu(gammurc)
        listing = subprocess.run(
            [SMSBOX, "sim", "sent", "--control", str(control), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        simulator.send_signal(signal.SIGINT)
        simulator.wait(timeout=10)
    (sent,) = json.loads(listing.stdout)
    assert (sent["recipient"], sent["text"]) == ("+33612345678", LONG_UNICODE)
