"""How many SMS a second the daemon moves through one simulated modem.

    .venv/bin/python bench/daemon_throughput.py [--messages N] [--send-delay S]

With no delay it measures smsbox's own cost per message (encoding, the AT
conversation on a pty, the commits); `--send-delay` adds a network's time per
submission, as `smsbox sim run --send-delay` does, to see the modem's ceiling.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from smsbox import outbox
from smsbox.config import parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.history import list_messages
from smsbox.models import Direction
from smsbox.setup import initialise

SHORT = "Rappel : rendez-vous demain à 9 h. Répondez STOP pour ne plus recevoir."
LONG = "Réunion du conseil — ordre du jour : budget, travaux, questions diverses. " * 5


def measure(messages: int, send_delay: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        config = parse_config(
            {"data_dir": "data", "modem": [{"name": "bench", "device": str(base / "modem")}]},
            base,
        )
        initialise(config)
        sessions = make_session_factory(make_engine(config.database_url))
        with SimulatedModem(base / "modem") as sim:
            sim.slow(send_delay)
            stop = threading.Event()
            daemon = threading.Thread(target=run_daemon, args=(config, stop))
            daemon.start()
            try:
                for label, text in (("1-part", SHORT), ("3-part", LONG)):
                    before = len(sim.sent())
                    with sessions() as session:
                        for number in range(messages):
                            outbox.queue_message(
                                session, f"06{number:08d}", text, default_region="FR"
                            )
                        session.commit()
                    started = time.perf_counter()
                    sim.wait_for_sent(before + messages, timeout=600)
                    elapsed = time.perf_counter() - started
                    print(
                        f"sent {messages} {label} SMS in {elapsed:.2f} s: "
                        f"{messages / elapsed:.1f} messages/s"
                    )
                started = time.perf_counter()
                for number in range(messages):
                    sim.deliver(f"+336{number:08d}", SHORT)
                while True:
                    with sessions() as session:
                        received = len(
                            list_messages(session, Direction.INBOUND, page_size=messages)
                        )
                    if received == messages:
                        break
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
                print(
                    f"received {messages} SMS in {elapsed:.2f} s: "
                    f"{messages / elapsed:.1f} messages/s"
                )
            finally:
                stop.set()
                daemon.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--send-delay", type=float, default=0.0)
    args = parser.parse_args()
    measure(args.messages, args.send_delay)


if __name__ == "__main__":
    main()
