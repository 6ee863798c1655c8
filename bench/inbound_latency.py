"""How long an SMS the modem announces takes to be stored, on a database of a million.

    .venv/bin/python bench/inbound_latency.py [--messages 50] [--size 1000000]

The real `smsbox daemon` in a child process serves one receive-only simulated modem,
whose transcript timestamps every byte, on a copy of the database `web_latency.py`
seeds (`--size` messages, a year of traffic, cached under the temp directory). This
process has the simulated network deliver one SMS at a time, each after a random
idle moment so that it falls anywhere in the worker's wait, and polls the database
until the message is there; the time is from the `+CMTI` the modem wrote (the
transcript) to the poll that found the message committed (a poll every millisecond:
the figures are at most that much late). Prints the median, the 90th percentile and
the worst, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from idle_daemon import idle_daemon
from web_seed import prepared

from modem.sim.transcript import TO_CLIENT

STORE_TIMEOUT = 30.0
POLL_SECONDS = 0.001
IDLE_BETWEEN = (0.2, 0.8)


def last_announcement_at(transcript: Path) -> datetime:
    """When the modem last wrote a +CMTI, from the transcript's timestamps."""
    for line in reversed(transcript.read_text(encoding="utf-8").splitlines()):
        stamp, direction, text = line.split(" ", 2)
        if direction == TO_CLIENT and "+CMTI:" in text:
            return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    raise RuntimeError("no +CMTI in the transcript")


def stored_after(database: Path, newest: int) -> datetime:
    """When a message newer than `newest` was first seen committed."""
    give_up_at = time.monotonic() + STORE_TIMEOUT
    with sqlite3.connect(database) as polling:
        while time.monotonic() < give_up_at:
            (found,) = polling.execute("SELECT max(id) FROM messages").fetchone()
            if found > newest:
                return datetime.now(UTC)
            time.sleep(POLL_SECONDS)
    raise TimeoutError(f"no message stored {STORE_TIMEOUT:g} s after its +CMTI")


def newest_message(database: Path) -> int:
    with sqlite3.connect(database) as db:
        (newest,) = db.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
    return newest


def measure(messages: int, size: int, cache: Path) -> list[float]:
    waits = []
    seeded = prepared(cache, size).data_dir
    with idle_daemon(1, transcripts=True, seeded=seeded, role="receive") as daemon:
        sim = daemon.sims[0]
        assert sim.transcript_path is not None
        database = daemon.config.data_dir / "smsbox.db"
        for number in range(messages):
            time.sleep(random.uniform(*IDLE_BETWEEN))  # noqa: S311 (a moment, not a secret)
            newest = newest_message(database)
            sim.deliver(f"+3361{number:07d}", f"Oui, je confirme ({number})")
            stored_at = stored_after(database, newest)
            waits.append((stored_at - last_announcement_at(sim.transcript_path)).total_seconds())
        held = newest_message(database)
    print(f"the database held {held:,} messages at the end")
    return waits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "smsbox-bench")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    waits = sorted(wait * 1000 for wait in measure(args.messages, args.size, args.cache))
    print(
        f"+CMTI to stored over {len(waits)} messages: median {statistics.median(waits):.1f} ms,"
        f" 90th percentile {waits[max(int(len(waits) * 0.9) - 1, 0)]:.1f} ms,"
        f" worst {waits[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
