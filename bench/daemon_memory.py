"""How much memory the daemon holds with N simulated modems.

    .venv/bin/python bench/daemon_memory.py [--modems 1 16] [--messages 20]

For each count: the real `smsbox daemon` in a child process serving that many
simulated modems, idle a moment, then sending `--messages` SMS queued as the
CLI queues them, idle again; prints its peak (VmHWM) and current (VmRSS)
resident memory from /proc.
"""

from __future__ import annotations

import argparse
import time

from idle_daemon import idle_daemon

from smsbox import outbox, wakeup

IDLE = 3.0
SEND_TIMEOUT = 120.0


def measure(modems: int, messages: int) -> dict[str, int]:
    with idle_daemon(modems) as daemon:
        time.sleep(IDLE)
        with daemon.sessions() as session:
            for number in range(messages):
                outbox.queue_message(session, f"06{number:08d}", "Rappel", default_region="FR")
            session.commit()
        wakeup.notify(daemon.config)
        give_up_at = time.monotonic() + SEND_TIMEOUT
        while sum(len(sim.sent()) for sim in daemon.sims) < messages:
            if time.monotonic() > give_up_at:
                raise RuntimeError(f"{messages} messages not sent in {SEND_TIMEOUT:g} s")
            time.sleep(0.05)
        time.sleep(IDLE)
        return daemon.memory()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modems", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    for modems in args.modems:
        memory = measure(modems, args.messages)
        peak, now = memory["VmHWM"] / 1024, memory["VmRSS"] / 1024
        print(f"{modems} modem(s), {args.messages} sent: peak {peak:.1f} MB, now {now:.1f} MB")


if __name__ == "__main__":
    main()
