"""How long the database's Prometheus gauges take to read at 1,000,000 messages.

    .venv/bin/python bench/metrics_scrape.py [--messages N] [--scrapes N]

Uses the database `web_latency.py` seeds (cached under the temp directory) and times
`generate_latest` of the registry the web app's `/metrics` serves: a scrape that
counts every message (once a minute), and the others (p50 and worst).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from web_latency import prepared

from smsbox.database import make_engine, make_session_factory
from smsbox.metrics import database_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "smsbox-bench")
    arguments = parser.parse_args()
    arguments.cache.mkdir(parents=True, exist_ok=True)
    config = prepared(arguments.cache, arguments.messages)
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)
    generate_latest(database_registry(sessions))  # warm-up: the pages read from disk
    # A fresh registry counts every message (as each scrape does once a minute)...
    counting = [_timed(database_registry(sessions)) for _ in range(3)]
    # ...the next ones within the minute reuse those counts.
    registry = database_registry(sessions)
    generate_latest(registry)
    times = [_timed(registry) for _ in range(arguments.scrapes)]
    engine.dispose()
    print(
        f"scrape of the database's gauges at {arguments.messages:,} messages: "
        f"counting every message {statistics.median(counting):.0f} ms (median of 3); "
        f"the other scrapes of the minute, {arguments.scrapes} times: p50 "
        f"{statistics.median(times):.0f} ms, worst {max(times):.0f} ms"
    )


def _timed(registry: CollectorRegistry) -> float:
    started = time.perf_counter()
    generate_latest(registry)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
