"""bench/send_throughput.py at a handful of messages: each leg runs and counts what
reached the simulated network (a functional check; the rates are the bench's)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import send_throughput
from throughput.cores import kept_apart
from throughput.gammu_leg import GammuLeg, gammu_smsd_installed
from throughput.ledger import WARM_UP, Outgoing, measure, tally, workload
from throughput.line_bound import bytes_per_send, line_bound

from fault_lab.recording_network import NetworkPart
from modem.sim.transcript import Transcript


def test_the_smsbox_leg_sends_each_message_once(capsys):
    assert send_throughput.main(["versus", "--messages", "5", "--gammu-messages", "0"]) == 0
    output = capsys.readouterr().out
    assert "smsbox          5 messages in" in output
    # The warm-up message and the five, in the database as well as on the network.
    assert "each reached the network exactly once, 6 recorded sent;" in output


@pytest.mark.skipif(not gammu_smsd_installed(), reason="gammu-smsd is not installed")
def test_the_gammu_smsd_leg_sends_each_message_once():
    with GammuLeg() as leg:
        result = measure(leg, workload(2), timeout=60)
    assert result.tally.exactly_once, result.tally.describe()
    assert result.messages == 2
    assert result.recorded_sent == 3
    assert result.peak_rss_kib > 0


def test_several_modems_share_the_messages(capsys):
    argv = ["modems", "--modems", "2", "--send-delay", "0.2", "--messages", "6"]
    assert send_throughput.main(argv) == 0
    output = capsys.readouterr().out
    assert "ideal: 2 modems x 300 a minute = 10.00 messages/s" in output
    assert "messages per modem: " in output


def test_the_line_mode_measures_against_the_lines_bound(capsys):
    assert send_throughput.main(["line", "--messages", "3"]) == 0
    found = re.search(
        r"at 115200 baud: 11520 bytes/s / (\d+) bytes a send", capsys.readouterr().out
    )
    assert found, "no line bound printed"
    # A single-part PDU alone is over 100 hex digits; a send is one command and its answer.
    assert 100 < int(found[1]) < 250


def part(message: Outgoing) -> NetworkPart:
    return NetworkPart(message.recipient, 1, 1, message.text, at=0.0)


def test_the_tally_tells_missing_twice_and_unexpected_apart():
    first, second, third = workload(3)
    got = [part(first), part(first), part(first), part(WARM_UP)]
    counted = tally([first, second, third], got)
    assert (counted.missing, counted.twice, counted.unexpected) == (2, 2, 1)
    assert not counted.exactly_once
    assert tally([first, second], [part(second), part(first)]).exactly_once


def test_one_sends_bytes_are_read_from_the_conversation(tmp_path):
    transcript = Transcript(tmp_path / "modem.log")
    for reference in (7, 8, 123):
        transcript.from_client(b"AT+CSQ\r")
        transcript.to_client(b"\r\n+CSQ: 21,99\r\n\r\nOK\r\n")
        transcript.from_client(b"AT+CMGS=18\r")
        transcript.to_client(b"\r\n> ")
        transcript.from_client(b"0001000B913316325476F8000004D4F29C0E" + b"\x1a")
        transcript.event("network: SMS part submitted")
        transcript.to_client(f"\r\n+CMGS: {reference}\r\n\r\nOK\r\n".encode())
    transcript.close()
    # 11 + 4 + 37 + 18 (the most common: two of the three references are one digit).
    assert bytes_per_send(tmp_path / "modem.log") == 70
    assert line_bound(115200, 72) == 160


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: nothing to keep apart")
def test_the_daemon_and_the_simulators_run_on_cores_apart_until_the_measure_ends():
    allowed = os.sched_getaffinity(0)
    daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with kept_apart(daemon.pid) as cores:
            ours, theirs = os.sched_getaffinity(0), os.sched_getaffinity(daemon.pid)
        assert ours == {max(allowed)}
        assert theirs == allowed - ours
        assert cores == f"the simulated modems on core {max(allowed)}, the daemon on " + ", ".join(
            str(core) for core in sorted(theirs)
        )
        assert os.sched_getaffinity(0) == allowed
    finally:
        daemon.kill()
        daemon.wait()
