"""Scenarios about what reaches the box: after a modem reboot, identical SMS,
crafted long-message parts; and a SIM whose PIN the configuration gets wrong."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fault_lab.crafted_pdus import with_concatenation
from fault_lab.lab import Lab
from fault_lab.ledger import RESUME_TARGET
from fault_lab.texts import scaled, short_texts
from modem import pdu_encoding

INBOUND_WAIT = 30.0  # far beyond the 10 s target: long enough to tell slow from never
PIN_WINDOW = 12.0  # a daemon retrying a wrong PIN does it within seconds
SIM_PIN, WRONG_PIN = "1234", "0000"
IDENTICAL_COPIES = 5
ARRIVAL_WAIT = 20.0


def scaled_wait(seconds: float, scale: float) -> float:
    """A wait shortened for a quick run, still past the resume target."""
    return min(seconds, max(RESUME_TARGET + 2, seconds * scale))


def reboot_idle(lab: Lab, scale: float) -> None:
    """The modem reboots while the daemon is idle (settings lost, no more +CMTI);
    then SMS arrive: seconds until all are stored."""
    lab.start_daemon()
    lab.sim.reboot()
    time.sleep(1.0)
    count = scaled(5, scale, minimum=2)
    delivered_at = time.time()
    for number in range(count):
        lab.deliver(f"+3362000{number:04d}", f"reboot-in{number:02d} réponse après le redémarrage")
    wait = scaled_wait(INBOUND_WAIT, scale)
    lab.settle(wait)
    stored = [moment for _, moment in lab.inbound_stored()]
    all_stored = len(stored) >= count
    lab.result.resume_samples.append(max(stored) - delivered_at if all_stored else None)
    if not all_stored:
        left = len(lab.sim.engine.storage.messages)
        lab.result.notes.append(f"{left} SMS left on the SIM after {wait:g} s")


def identical_inbound(lab: Lab, scale: float) -> None:
    """The same SMS-DELIVER PDU five times (a phone sending 'OK' five times within
    the second): five messages in the inbox."""
    lab.start_daemon()
    text = "identical-in OK"
    (pdu,) = pdu_encoding.encode_deliver(
        "+33620001111", text, smsc=lab.network.smsc, sent_at=datetime.now(UTC)
    )
    for _ in range(IDENTICAL_COPIES):
        lab.deliver_pdu(pdu, text)
    lab.fault_ended()
    lab.settle(scaled_wait(ARRIVAL_WAIT, scale))


def crafted_concat(lab: Lab, scale: float) -> None:
    """Two crafted long messages (a part numbered 0; a part numbered 3 of 2), then a
    normal send and a normal receive must still work; a daemon that freezes on them
    is caught by the SIGTERM check when the lab closes."""
    lab.start_daemon()
    sent_at = datetime.now(UTC)
    long_text = "crafted " + "partie d'un long message, " * 8
    zero = pdu_encoding.encode_deliver(
        "+33620002221", long_text, smsc=lab.network.smsc, sent_at=sent_at
    )
    beyond = pdu_encoding.encode_deliver(
        "+33620002222", long_text, smsc=lab.network.smsc, sent_at=sent_at
    )
    crafted = [
        with_concatenation(zero[0], number=0),
        zero[1],
        beyond[0],
        with_concatenation(beyond[1], number=3),
    ]
    for pdu in crafted:
        lab.deliver_pdu(pdu, None)
    time.sleep(1.0)
    lab.queue(short_texts("crafted", 1))
    lab.deliver("+33620003333", "crafted-after réponse normale")
    lab.fault_ended()
    lab.settle(scaled_wait(ARRIVAL_WAIT, scale))
    unexpected = sorted(body for body, _ in lab.inbound_stored() if body not in lab.delivered)
    if unexpected:
        lab.result.notes.append(f"crafted parts stored as {len(unexpected)} message(s)")
    lab.result.notes.append(f"{len(lab.sim.engine.storage.messages)} SMS left on the SIM")
    lab.check(
        not lab.daemon.unexpected_exits,
        "the daemon crashed on the crafted parts: "
        + ", ".join(crash.describe() for crash in lab.daemon.unexpected_exits),
    )


def wrong_pin(lab: Lab, scale: float) -> None:
    """The SIM asks for a PIN and the configuration gives a wrong one: at most one
    try (three lock the SIM), and the modem in error with a message saying what to do."""
    lab.start_daemon(wait_until_serving=False)
    locked = lab.wait_for(lambda: lab.sim.engine.sim.state == "SIM PUK", PIN_WINDOW)
    if locked:
        time.sleep(1.0)  # the daemon records what it saw
    attempts = sum(
        1
        for line in lab.transcript_path.read_text(encoding="utf-8").splitlines()
        if " <- " in line and "AT+CPIN=" in line
    )
    modem = lab.modem()
    state, error = (modem.state, modem.last_error or "") if modem else ("absent", "")
    lab.result.notes.append(f"{attempts} PIN attempt(s); modem {state}: {error or 'no message'}")
    lab.check(attempts <= 1, f"{attempts} PIN attempts (at most 1)")
    lab.check(not locked, "the SIM now asks for its PUK")
    lab.check(state == "error", f"modem state {state!r}, not 'error'")
    lab.check(
        "PIN" in error.upper() and ("[[modem]]" in error or "config" in error.lower()),
        "the modem's error does not say to correct the PIN in the configuration",
    )
