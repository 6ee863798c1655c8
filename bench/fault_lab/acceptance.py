"""Issue 12's "done when", tried as a new user would: three simulated modems of
different makes share 500 messages of mixed length and alphabet while SMS and calls
arrive, one SIM's operator reports every delivery failed, a "Stop." blocks a later
send, and the daemon is killed with -9 ten times. The outcome is read back through
the CLI (`smsbox messages --json`, `smsbox calls --json`), as a script would."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from fault_lab.daemon_process import cli_command
from fault_lab.lab import Lab, LabModem
from fault_lab.ledger import QueuedMessage
from fault_lab.sending import NETWORK_DELAY, SETTLE_TIMEOUT, spread_over_sending
from fault_lab.texts import mixed_texts, scaled
from smsbox.models import IncomingCall, Modem, Status

if TYPE_CHECKING:
    from modem.sim import SimulatedModem

MODEMS = (
    LabModem("sim800", "sim800"),
    LabModem("e3372", "huawei-e3372"),
    LabModem("ec25", "ec25"),
)
# Under libgammu a Huawei stick's ^CEND, which ends each call, is taken for the start
# of the next answer, and a status report right behind it is lost (README: "The AT
# driver or Gammu's"): the gammu run has a SIMCom LTE module in its place.
GAMMU_MODEMS = (
    LabModem("sim800", "sim800"),
    LabModem("sim7600", "sim7600"),
    LabModem("ec25", "ec25"),
)
# The operator of this modem's SIM reports every message failed.
FAILING_MODEM = "ec25"
STOP_SENDER = "+33699000001"
# A call rings this often; the ones that meet a kill -9 ring long enough to outlive it.
RING_INTERVAL = 0.4
LONG_CALL_RINGS = 8
REPORT_WAIT = 20.0
# Quick reports: only those of the last messages before a kill find the daemon down.
REPORT_DELAY = 0.2
BACK_TIMEOUT = 30.0
# A report counts as having come while the daemon was down from this long before the
# kill: one already read off the line but not yet recorded dies with the daemon. A
# worker takes the modem's news between messages, and under the gammu driver a
# six-part message takes 4.2 s (libgammu sleeps 0.7 s in each SendSMS).
READ_NOT_RECORDED = 5.0
# ... to this long after the daemon is back (the daemon's clock and the lab's are
# one machine's).
WINDOW_SLACK = 0.5


@dataclass(frozen=True)
class Outage:
    """From a kill -9 to the restarted daemon serving again (wall clock)."""

    start: float
    end: float


def acceptance(lab: Lab, scale: float) -> None:
    """500 mixed messages over three modems of different makes, SMS and calls arriving,
    a STOP, and kill -9 ten times: all reach the network once, end as their operator
    reports, each call logged once, the STOP's sender gets nothing more."""
    for sim, spec in zip(lab.sims, lab.modem_specs, strict=True):
        sim.slow(NETWORK_DELAY)
        sim.configure_reports(
            delay=REPORT_DELAY, outcome="failed" if spec.name == FAILING_MODEM else "delivered"
        )
    lab.start_daemon()
    lab.queue(mixed_texts("accept", scaled(500, scale, minimum=30)))
    lab.sims[0].deliver(STOP_SENDER, "Stop.")
    lab.delivered["Stop."] += 1
    callers: list[str] = []
    outages: list[Outage] = []

    def traffic(k: int) -> None:
        sim = lab.sims[k % len(lab.sims)]
        lab.deliver(f"+3362{k:07d}", f"accept-in{k:03d} réponse n°{k} — merci")
        # A modem takes one call at a time: the network would miss a second one while
        # the last still rings there (sending fast, the traffic comes within seconds).
        lab.wait_for(lambda: _calls_over(sim), LONG_CALL_RINGS * RING_INTERVAL + BACK_TIMEOUT)
        callers.append(f"+3361{k:07d}")
        if k % 2:
            sim.call(callers[-1], rings=2, interval=RING_INTERVAL)
        else:
            # Killed while the call rings: the restarted daemon hears the rest of it.
            sim.call(callers[-1], rings=LONG_CALL_RINGS, interval=RING_INTERVAL)
            lab.wait_for(lambda: len(_calls_logged(lab)) == len(callers), BACK_TIMEOUT)
            outages.append(_kill_and_restart(lab))
        lab.fault_ended()

    spread_over_sending(lab, 2 * scaled(10, scale, minimum=2), traffic)
    lab.wait_for(lambda: any(body == "Stop." for body, _ in lab.inbound_stored()), 30)
    (after_stop,) = lab.queue_to([(STOP_SENDER, "accept-stop envoyé après le STOP")])
    lab.settle(SETTLE_TIMEOUT)
    lab.wait_for(lambda: not _awaiting_report(lab), REPORT_WAIT)

    records = _cli(lab, "messages", "--direction", "out", "--limit", "100000")
    by_id = {record["id"]: record for record in records}
    lab.check(
        by_id[after_stop.id]["status"] == Status.BLOCKED,
        f"the message to the number that sent Stop. is {by_id[after_stop.id]['status']}",
    )
    others = [message for message in lab.queued if message != after_stop]
    _check_outcomes(lab, others, by_id, outages)
    logged = Counter(call["number"] for call in _cli(lab, "calls", "--limit", "100000"))
    lab.check(
        logged == Counter(callers),
        f"calls logged {dict(logged)} for callers {callers}",
    )


def _calls_over(sim: SimulatedModem) -> bool:
    return all(call.outcome != "ringing" for call in sim.network.calls())


def _calls_logged(lab: Lab) -> list[int]:
    with lab.sessions() as session:
        return list(session.scalars(select(IncomingCall.id)))


def _kill_and_restart(lab: Lab) -> Outage:
    served = lab.daemon_log_count("daemon serving")
    start = time.time()
    lab.daemon.kill9()
    time.sleep(NETWORK_DELAY * 5)
    lab.daemon.restart_now()
    # Back once every modem is set up again: a call that rings only while a modem
    # is being set up is not heard (its RING is drained with the line), as one
    # that rings while the daemon is down.
    lab.wait_for(
        lambda: lab.daemon_log_count("daemon serving") > served and _all_ready_since(lab, start),
        BACK_TIMEOUT,
    )
    return Outage(start, time.time())


def _all_ready_since(lab: Lab, moment: float) -> bool:
    with lab.sessions() as session:
        modems = session.scalars(select(Modem)).all()
    return all(
        modem.state == "ready"
        and modem.last_seen_at is not None
        and modem.last_seen_at.timestamp() >= moment
        for modem in modems
    )


def _expected_outcome(modem: str) -> Status:
    """How a message must end, by the modem that sent it."""
    return Status.FAILED if modem == FAILING_MODEM else Status.DELIVERED


def _awaiting_report(lab: Lab) -> bool:
    return any(state.status == Status.SENT for state in lab.outbound_states().values())


def _check_outcomes(
    lab: Lab, queued: list[QueuedMessage], records: dict[int, dict], outages: list[Outage]
) -> None:
    """Every message that went out ends as its modem's operator reported; those in doubt
    after a kill -9 are interrupted. A message may stay `sent` only when its report
    came while the daemon was down (+CDS is not stored by the modem)."""
    last_part_at: dict[str, float] = {}
    for part in lab.network_parts():
        last_part_at[part.recipient] = max(part.at, last_part_at.get(part.recipient, 0.0))
    wrong, unexplained, left_sent = [], [], 0
    for message in queued:
        record = records[message.id]
        if record["status"] == Status.SENT:
            left_sent += 1
            due = last_part_at.get(message.number, 0.0) + REPORT_DELAY
            if not any(o.start - READ_NOT_RECORDED <= due <= o.end + WINDOW_SLACK for o in outages):
                unexplained.append(message.tag)
        elif record["status"] not in (Status.INTERRUPTED, _expected_outcome(record["modem"])):
            wrong.append(f"{message.tag} {record['status']} via {record['modem']}")
    by_modem = Counter(records[message.id]["modem"] for message in queued)
    lab.result.notes.append(
        "sent by "
        + ", ".join(f"{name} {count}" for name, count in sorted(by_modem.items(), key=str))
    )
    lab.result.notes.append(
        f"{left_sent} left sent, their report due while the daemon was down; "
        f"{sum(o.end - o.start for o in outages):.1f} s down in {len(outages)} kill(s)"
    )
    lab.check(not wrong, f"{len(wrong)} ended otherwise than reported: {wrong[:3]}")
    lab.check(not unexplained, f"left sent with the daemon running: {unexplained[:5]}")


def _cli(lab: Lab, *arguments: str) -> list[dict]:
    command = cli_command(lab.config_path, *arguments, "--json")
    return json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
