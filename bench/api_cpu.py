"""CPU time of one `POST /api/v1/messages` in one process, without the HTTP server.

    .venv/bin/python bench/api_cpu.py [--requests 1000] [--rounds 3] [--profile tottime]

Makes an installation on a fresh SQLite file in a temporary directory, a key of scope
send, then posts `--requests` single-recipient messages through the Flask test client
after a warm-up, `--rounds` times: prints the process's CPU time (time.process_time)
per request of each round, which another job on the machine changes far less than the
wall clock, then the least and the median of the rounds: on a loaded machine, many
short rounds and their least are the figure to compare. Every answer must be 201.
With `--profile`, one more round runs under cProfile (timing CPU, not the wall clock)
and its `--lines` (40) costliest functions are printed, sorted by `tottime` or
`cumulative`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient

from smsbox.apikeys import create_key
from smsbox.config import parse_config
from smsbox.setup import initialise
from web import create_app
from web.db import SESSIONS_KEY

WARM_UP = 50


def post(client: FlaskClient, token: str, start: int, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(start, start + count):
        body = {"to": [f"+33612{n % 1000000:06d}"], "text": f"Rappel : rendez-vous n°{n}"}
        answer = client.post(
            "/api/v1/messages",
            data=json.dumps(body),
            headers=headers,
            content_type="application/json",
        )
        if answer.status_code != 201:
            raise SystemExit(f"answered {answer.status_code}: {answer.get_data(as_text=True)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("tottime", "cumulative"))
    parser.add_argument("--lines", type=int, default=40, help="functions the profile shows")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smsbox-api-cpu-") as directory:
        config = parse_config(
            {"data_dir": ".", "api": {"rate_limit": 100_000_000}}, Path(directory)
        )
        initialise(config)
        app = create_app(config)
        with app.extensions[SESSIONS_KEY]() as session:
            _, token = create_key(session, "bench")
            session.commit()
        client = app.test_client()
        post(client, token, 0, WARM_UP)
        sent = WARM_UP
        rounds = []
        for _ in range(args.rounds):
            cpu = time.process_time()
            post(client, token, sent, args.requests)
            sent += args.requests
            rounds.append((time.process_time() - cpu) / args.requests * 1000)
            print(f"{args.requests} requests: {rounds[-1]:.2f} ms of CPU a request")
        if rounds:
            print(
                f"least {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms "
                f"of CPU a request over {len(rounds)} rounds"
            )
        if args.profile:
            profile = cProfile.Profile(time.process_time)  # CPU: what others load changes less
            profile.runcall(post, client, token, sent, args.requests)
            pstats.Stats(profile).sort_stats(args.profile).print_stats(args.lines)


if __name__ == "__main__":
    main()
