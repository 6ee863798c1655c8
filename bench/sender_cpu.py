"""The CPU one message costs the modem's sender, in one process, on an unpaced simulator.

    .venv/bin/python bench/sender_cpu.py [--messages 400] [--rounds 3] [--profile FILE]

Queues `--messages` single-part messages in a fresh SQLite database, then sends them
all through `modem.sender.MessageSender` (claims of 16, as the daemon's only modem
claims) and the AT driver on a simulated modem with no send delay, and prints, per
message, the wall time and the CPU time of the sending thread (`time.thread_time`:
the simulator's threads are not counted). With `--profile`, the last round runs
under cProfile (read FILE with `python -m pstats`). Run it from the tree measured:
it imports `smsbox` and `modem` from the current directory.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import tempfile
import time
from pathlib import Path

# The tree measured, and its tests' sender on a simulated modem (`sim_senders`).
sys.path.insert(0, str(Path.cwd() / "tests"))
sys.path.insert(0, str(Path.cwd()))

from sim_senders import sender_on

from modem.sender import CLAIM_BATCH
from modem.sim import SimulatedModem
from smsbox.config import parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.modems import ensure_modem
from smsbox.outbox import queue_messages
from smsbox.setup import initialise


def one_round(
    directory: Path, messages: int, profile: cProfile.Profile | None
) -> tuple[float, float]:
    """Wall and thread CPU seconds a message."""
    config = parse_config(
        {"data_dir": "data", "messaging": {"default_region": "FR", "timezone": "Europe/Paris"}},
        directory,
    )
    initialise(config)
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        modem_id = ensure_modem(session, "sim1", "/dev/ttyUSB0")
        recipients = [(f"06{n:08d}", f"+336{n:08d}") for n in range(messages)]
        queue_messages(session, recipients, "hello")
        session.commit()
    with SimulatedModem(directory / "modem") as sim:
        sender, driver = sender_on(sim, sessions)
        if profile is not None:
            profile.enable()
        wall, cpu = time.perf_counter(), time.thread_time()
        while sender.send_one(modem_id, batch=CLAIM_BATCH):
            pass
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        if profile is not None:
            profile.disable()
        driver.close()
        if len(sim.sent()) != messages:
            sys.exit(f"{len(sim.sent())} of {messages} messages reached the simulated network")
    engine.dispose()
    return wall / messages, cpu / messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=Path)
    arguments = parser.parse_args()
    for round_ in range(arguments.rounds):
        last = round_ == arguments.rounds - 1
        profile = cProfile.Profile() if last and arguments.profile else None
        with tempfile.TemporaryDirectory() as directory:
            wall, cpu = one_round(Path(directory), arguments.messages, profile)
        print(f"{wall * 1000:.2f} ms a message, the sender's CPU {cpu * 1000:.2f} ms", flush=True)
        if profile is not None:
            profile.dump_stats(arguments.profile)


if __name__ == "__main__":
    main()
