"""How many SMS a second the daemon moves through one simulated modem.

    .venv/bin/python bench/daemon_throughput.py [--messages N] [--send-delay S] [--modems M]

With no delay it measures smsbox's own cost per message (encoding, the AT
conversation on a pty, the commits); `--send-delay` adds a network's time per
submission, as `smsbox sim run --send-delay` does, to see the modem's ceiling.
`--modems` shares the traffic between that many simulated modems; with a delay,
each rate is printed against the ideal (every modem always busy).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import select

from modem import pdu_encoding
from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from smsbox import outbox
from smsbox.config import parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.history import find_messages
from smsbox.models import Direction, Modem
from smsbox.modems import READY
from smsbox.setup import initialise

SHORT = "Rappel : rendez-vous demain à 9 h. Répondez STOP pour ne plus recevoir."
LONG = "Réunion du conseil — ordre du jour : budget, travaux, questions diverses. " * 5


def all_ready(sessions, modems: int) -> bool:
    with sessions() as session:
        states = session.scalars(select(Modem.state)).all()
    return states.count(READY) == modems


def measure(messages: int, send_delay: float, modems: int) -> None:
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        base = Path(scratch)
        names = [f"bench{number}" for number in range(modems)]
        config = parse_config(
            {
                "data_dir": "data",
                "modem": [{"name": name, "device": str(base / name)} for name in names],
            },
            base,
        )
        initialise(config)
        sessions = make_session_factory(make_engine(config.database_url))
        sims = [stack.enter_context(SimulatedModem(base / name)) for name in names]
        for sim in sims:
            sim.slow(send_delay)

        def sent() -> int:
            return sum(len(sim.sent()) for sim in sims)

        stop = threading.Event()
        daemon = threading.Thread(target=run_daemon, args=(config, stop))
        daemon.start()
        try:
            # Timed from the moment every modem is ready, as a running daemon's are.
            while not all_ready(sessions, modems):
                time.sleep(0.05)
            for text in (SHORT, LONG):
                parts = len(pdu_encoding.encode_submit("0600000000", text))
                before = sent()
                with sessions() as session:
                    for number in range(messages):
                        outbox.queue_message(session, f"06{number:08d}", text, default_region="FR")
                    session.commit()
                started = time.perf_counter()
                while sent() < before + messages:
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
                rate = messages / elapsed
                ideal = (
                    f" ({rate / (modems / (parts * send_delay)):.0%} of the ideal "
                    f"{modems * 60 / (parts * send_delay):.0f}/min)"
                    if send_delay
                    else ""
                )
                print(
                    f"sent {messages} {parts}-part SMS through {modems} modem(s) "
                    f"in {elapsed:.2f} s: "
                    f"{rate:.1f} messages/s{ideal}"
                )
            started = time.perf_counter()
            for number in range(messages):
                sims[number % modems].deliver(f"+336{number:08d}", SHORT)
            while True:
                with sessions() as session:
                    received = len(
                        find_messages(session, direction=Direction.INBOUND, limit=messages)
                    )
                if received == messages:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            print(
                f"received {messages} SMS in {elapsed:.2f} s: {messages / elapsed:.1f} messages/s"
            )
        finally:
            stop.set()
            daemon.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--send-delay", type=float, default=0.0)
    parser.add_argument("--modems", type=int, default=1)
    args = parser.parse_args()
    measure(args.messages, args.send_delay, args.modems)


if __name__ == "__main__":
    main()
