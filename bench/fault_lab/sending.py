"""Scenarios where faults hit the daemon while it sends.

Each queues its messages, injects its faults while they go out (spread evenly
over the parts reaching the network, so that each fault meets traffic), then
waits for everything to settle. The ledger does the counting afterwards.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from fault_lab.lab import Lab
from fault_lab.texts import mixed_texts, scaled, short_texts
from modem.channel import SUBMIT_TIMEOUT

# Seconds the simulated network takes per submission, so that sending lasts long
# enough for faults to land in the middle of it (a real network takes longer).
NETWORK_DELAY = 0.02
STALL_TIMEOUT = 60.0  # no progress for this long between faults: give up injecting
SETTLE_TIMEOUT = 90.0  # longer than a submission's timeout, to see what follows it
VANISH_SECONDS = 1.0
CALL_INTERVAL = 0.5  # one ring, then the caller gives up after this long
SILENCE_SECONDS = 5.0
SLOW_SECONDS = SUBMIT_TIMEOUT + 5
LOCK_SECONDS = 25.0


def spread_over_sending(lab: Lab, fault_count: int, inject: Callable[[int], None]) -> None:
    """Call `inject(k)` for k = 1..fault_count at even steps of the queued parts
    reaching the network; each fault waits for traffic to have moved on."""
    total = sum(message.parts for message in lab.queued)
    for k in range(1, fault_count + 1):
        if not lab.wait_for_parts(total * k // (fault_count + 1), STALL_TIMEOUT):
            lab.result.notes.append(
                f"sending stalled for {STALL_TIMEOUT:g} s before fault {k} of {fault_count}"
            )
            return
        inject(k)


def vanish(lab: Lab, scale: float) -> None:
    """The USB port disappears for a second, again and again, while sending."""
    lab.sim.slow(NETWORK_DELAY)
    lab.start_daemon()
    lab.queue(mixed_texts("vanish", scaled(400, scale, minimum=20)))

    def port_gone(_: int) -> None:
        lab.sim.vanish(VANISH_SECONDS)
        lab.wait_for(lambda: lab.sim.vanished_for == 0, VANISH_SECONDS + 10)
        lab.fault_ended()

    spread_over_sending(lab, scaled(40, scale, minimum=2), port_gone)
    lab.settle(SETTLE_TIMEOUT)


def calls(lab: Lab, scale: float) -> None:
    """One-ring calls (RING, then NO CARRIER when the caller gives up) while sending."""
    lab.sim.slow(NETWORK_DELAY)
    lab.start_daemon()
    lab.queue(mixed_texts("calls", scaled(300, scale, minimum=20)))

    def one_ring(k: int) -> None:
        lab.sim.call(f"+3361{k:07d}", rings=1, interval=CALL_INTERVAL)
        lab.wait_for(lambda: lab.sim.engine.call is None, CALL_INTERVAL + 5)
        lab.fault_ended()

    spread_over_sending(lab, scaled(20, scale, minimum=2), one_ring)
    lab.settle(SETTLE_TIMEOUT)


def silence(lab: Lab, scale: float) -> None:
    """The modem neither echoes nor answers for five seconds, mid-conversation."""
    lab.sim.slow(NETWORK_DELAY)
    lab.start_daemon()
    lab.queue(short_texts("silence", scaled(60, scale, minimum=15)))

    def hang(_: int) -> None:
        lab.sim.go_silent(SILENCE_SECONDS)
        time.sleep(SILENCE_SECONDS)
        lab.fault_ended()

    spread_over_sending(lab, 1, hang)
    lab.settle(SETTLE_TIMEOUT)


def kill9(lab: Lab, scale: float) -> None:
    """`kill -9` of the daemon mid-sending, restarted at once each time."""
    lab.sim.slow(NETWORK_DELAY)
    lab.start_daemon()
    lab.queue(mixed_texts("kill9", scaled(500, scale, minimum=25)))

    def power_cut(_: int) -> None:
        lab.daemon.kill9()
        # What the modem had in hand goes out now: not traffic of the restarted daemon.
        time.sleep(NETWORK_DELAY * 5)
        lab.daemon.restart_now()
        lab.fault_ended()

    spread_over_sending(lab, scaled(10, scale, minimum=1), power_cut)
    lab.settle(SETTLE_TIMEOUT)


def slow(lab: Lab, scale: float) -> None:
    """One submission takes longer than the daemon's submit timeout, then all is normal.

    Not scaled: the fault only means something past SUBMIT_TIMEOUT."""
    lab.start_daemon()
    lab.queue(short_texts("slow", 2))
    lab.wait_for_parts(2, 20)
    lab.sim.slow(SLOW_SECONDS)
    (slowed,) = lab.queue(short_texts("slow", 1, first=2))
    lab.wait_for(lambda: lab.outbound_states()[slowed.id].status != "queued", 20)
    claimed_at = time.time()
    time.sleep(1.0)  # its Ctrl-Z reaches the modem at once; the next submission is normal
    lab.sim.slow(0)
    lab.queue(short_texts("slow", 2, first=3))
    # The fault ends when the modem answers the slow submission.
    arrived = lab.wait_for(
        lambda: any(part.recipient == slowed.number for part in lab.network.parts()),
        SLOW_SECONDS + 10,
    )
    answered_at = (
        min(part.at for part in lab.network.parts() if part.recipient == slowed.number)
        if arrived
        else claimed_at + SLOW_SECONDS
    )
    lab.fault_ended(at=answered_at)
    lab.settle(SETTLE_TIMEOUT)


def db_lock(lab: Lab, scale: float) -> None:
    """Another connection holds SQLite's write lock for 25 s while messages go out;
    afterwards everything must move, and the daemon must be serving or have exited
    non-zero (systemd restarts it), never alive with a dead worker."""
    lab.sim.slow(0.1)
    lab.start_daemon()
    lab.queue(short_texts("dblock", scaled(40, scale, minimum=10)))
    lab.wait_for_parts(3, 20)
    holder = sqlite3.connect(lab.database_path, timeout=30, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        time.sleep(LOCK_SECONDS)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    released_at = time.time()
    lab.fault_ended(at=released_at)
    lab.queue(short_texts("dblock", scaled(10, scale, minimum=3), first=len(lab.queued)))
    lab.settle(SETTLE_TIMEOUT)
    moved = any(part.at >= released_at for part in lab.network.parts())
    lab.check(
        moved or not lab.daemon.alive,
        "the daemon is alive but sent nothing after the lock was released "
        "(a dead worker: systemd cannot see it)",
    )
    lab.check(
        all(crash.returncode != 0 for crash in lab.daemon.unexpected_exits),
        "the daemon exited with status 0: systemd (Restart=on-failure) leaves it down",
    )
    if lab.daemon_log_mentions("Exception in thread"):
        lab.result.notes.append("daemon log: an exception ended a thread")
