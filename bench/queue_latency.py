"""How long a message queued on an idle daemon waits before its AT+CMGS.

    .venv/bin/python bench/queue_latency.py [--messages 50]

The real `smsbox daemon` in a child process serves one simulated modem whose
transcript timestamps every byte. This process queues one message at a time
as `smsbox send` does (commit, then tell the daemon), each after a random idle
moment so that it falls anywhere in the worker's wait, and reads in the
transcript when the daemon wrote that message's AT+CMGS. Prints the median,
the 90th percentile and the worst, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from idle_daemon import idle_daemon

from modem.sim.transcript import FROM_CLIENT
from smsbox import outbox, wakeup

SEND_TIMEOUT = 30.0
IDLE_BETWEEN = (0.2, 0.8)


def last_submission_at(transcript: Path) -> datetime:
    """When the client last wrote an AT+CMGS, from the transcript's timestamps."""
    for line in reversed(transcript.read_text(encoding="utf-8").splitlines()):
        stamp, direction, text = line.split(" ", 2)
        if direction == FROM_CLIENT and text.startswith("AT+CMGS="):
            return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    raise RuntimeError("no AT+CMGS in the transcript")


def measure(messages: int) -> list[float]:
    waits = []
    with idle_daemon(1, transcripts=True) as daemon:
        sim = daemon.sims[0]
        assert sim.transcript_path is not None
        for number in range(messages):
            time.sleep(random.uniform(*IDLE_BETWEEN))  # noqa: S311 (a moment, not a secret)
            with daemon.sessions() as session:
                outbox.queue_message(session, f"06{number:08d}", "Rappel", default_region="FR")
                session.commit()
                queued_at = datetime.now(UTC)
            wakeup.notify(daemon.config)
            sim.wait_for_sent(number + 1, timeout=SEND_TIMEOUT)
            waits.append((last_submission_at(sim.transcript_path) - queued_at).total_seconds())
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()
    waits = sorted(wait * 1000 for wait in measure(args.messages))
    print(
        f"queued to AT+CMGS over {len(waits)} messages: median {statistics.median(waits):.1f} ms,"
        f" 90th percentile {waits[int(len(waits) * 0.9) - 1]:.1f} ms, worst {waits[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
