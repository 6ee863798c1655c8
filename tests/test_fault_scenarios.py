"""Replay of issue 11: the real daemon, in its own process, against a simulated
modem that misbehaves; the promise is "never lose, never send twice".

Each test runs a scenario of `bench/fault_scenarios.py` at a small scale (the
same code, from bench/fault_lab) and asserts the issue's targets: nothing lost,
nothing sent twice, no message left with parts unsent, traffic back within 10 s
of the fault's end, no freeze, and the scenario's own checks. Several fail on
the daemon as the issue found it: that is the issue, and they pass once it is
fixed. `pytest -m "not issue11"` leaves them out; the bench runs them in full.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from databases import database_url_for

from fault_lab import report
from fault_lab.registry import run_scenario

pytestmark = pytest.mark.issue11

QUICK = 0.05  # 20 to 25 messages, one or two faults
# The port vanishing right after the modem took a submission is a race: four
# vanishings (40 messages) meet it far more often than two.
VANISH_SCALE = 0.1


def assert_targets_met(name: str, scale: float, root: Path) -> None:
    result = run_scenario(name, scale, root, database_url_for(root))
    figures = [report.header(), report.row(result), *report.details(result)]
    assert result.targets_met, "\n".join(figures)


def test_it_loses_nothing_and_sends_nothing_twice_when_the_port_vanishes_mid_send(tmp_path):
    assert_targets_met("vanish", VANISH_SCALE, tmp_path)


def test_it_survives_kill_9_mid_send_marking_the_unknown_interrupted(tmp_path):
    assert_targets_met("kill9", QUICK, tmp_path)


def test_it_tries_a_wrong_pin_once_and_says_to_correct_it(tmp_path):
    assert_targets_met("wrong-pin", QUICK, tmp_path)


def test_it_stores_sms_arriving_after_the_modem_rebooted_while_idle(tmp_path):
    assert_targets_met("reboot-idle", QUICK, tmp_path)


def test_it_stores_five_identical_sms_as_five_messages(tmp_path):
    assert_targets_met("identical-inbound", QUICK, tmp_path)


def test_it_shares_mixed_traffic_over_three_modems_through_kill_9_as_issue_12_asks(tmp_path):
    assert_targets_met("acceptance", QUICK, tmp_path)


def test_it_keeps_the_same_promises_over_three_modems_with_the_gammu_driver(tmp_path):
    assert_targets_met("acceptance-gammu", QUICK, tmp_path)
