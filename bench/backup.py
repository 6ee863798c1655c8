"""`smsbox backup` of a 1,000,000-message SQLite database while the daemon sends.

    .venv/bin/python bench/backup.py [--messages N] [--queued K]

Copies the database `web_latency.py` seeds (cached under the temp directory) to a
fresh data directory, starts the real `smsbox daemon` on a simulated modem with K
messages queued (each submission taking 50 ms), and once it is sending runs the real
`smsbox backup`. It prints how long the backup took, how many messages the daemon
sent meanwhile and its longest pause between two, and checks the backup (SQLite's
integrity check, every message in it). Target (issue 16): under 30 s, and the daemon
does not stop.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web_seed import copy_seeded, prepared

from modem.sim import SimulatedModem
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.outbox import queue_message

SMSBOX = str(Path(sys.executable).parent / "smsbox")
SUBMISSION_SECONDS = 0.05


def installation(seeded: Path, work: Path) -> Path:
    copy_seeded(seeded, work / "data")
    config = work / "smsbox.toml"
    config.write_text(
        'data_dir = "data"\n'
        '[messaging]\ndefault_region = "FR"\ntimezone = "Europe/Paris"\n'
        f'[[modem]]\nname = "sim"\ndevice = "{work / "modem"}"\n'
    )
    return config


def queue(config_file: Path, count: int) -> None:
    engine = make_engine(load_config(config_file).database_url)
    with make_session_factory(engine)() as session:
        for index in range(count):
            queue_message(session, f"+3361{index:07d}", f"Rappel {index}", default_region="FR")
        session.commit()
    engine.dispose()


def longest_pause(moments: list[float], start: float, end: float) -> float:
    inside = [start, *(moment for moment in moments if start <= moment <= end), end]
    return max(later - earlier for earlier, later in itertools.pairwise(inside))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queued", type=int, default=3000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "smsbox-bench")
    arguments = parser.parse_args()
    arguments.cache.mkdir(parents=True, exist_ok=True)
    seeded = prepared(arguments.cache, arguments.messages).data_dir
    with tempfile.TemporaryDirectory(prefix="smsbox-backup-") as directory:
        work = Path(directory)
        config_file = installation(seeded, work)
        queue(config_file, arguments.queued)
        sent_at: list[float] = []
        with SimulatedModem(work / "modem") as sim:
            sim.slow(SUBMISSION_SECONDS)
            sim.network.on_submit(lambda _: sent_at.append(time.monotonic()))
            daemon = subprocess.Popen(
                [SMSBOX, "--config", str(config_file), "daemon"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while len(sent_at) < 20:
                    time.sleep(0.1)
                started = time.monotonic()
                run = subprocess.run(
                    [SMSBOX, "--config", str(config_file), "backup", str(work / "copy.db")],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                ended = time.monotonic()
                time.sleep(2)
            finally:
                daemon.terminate()
                daemon.wait(timeout=90)
        if run.returncode != 0:
            sys.exit(f"backup failed: {run.stderr}")
        with sqlite3.connect(work / "copy.db") as copy:
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            held = copy.execute("SELECT count(*) FROM messages").fetchone()[0]
        size = (work / "copy.db").stat().st_size / 2**20
    during = sum(started <= moment <= ended for moment in sent_at)
    print(
        f"backup of {held:,} messages ({size:,.0f} MiB): {ended - started:.1f} s "
        f"(the command itself: {run.stdout.strip()})\n"
        f"the daemon sent {during} messages meanwhile, longest pause between two "
        f"{longest_pause(sent_at, started, ended):.2f} s (each submission takes "
        f"{SUBMISSION_SECONDS} s)\nintegrity check of the copy: {check}"
    )
    if check != "ok" or held < arguments.messages:
        sys.exit("the copy is not complete")


if __name__ == "__main__":
    main()
