"""Server time of the web pages at 1,000,000 messages, next to the same at 1,000.

    .venv/bin/python bench/web_latency.py [--messages N] [--small N] [--requests N]
                                          [--page NAME ...]

Seeds a year of traffic (mixed directions and states, over one number per 20
messages, a tenth of them known contacts; a call per 20 messages; three modems with
their recent errors) into a SQLite file kept under the temp directory between runs,
then times each page through the Flask test client after a warm-up, a request at
each size in turns: p50 and p95 of the server's time, and the ratio of the large p95
to the small one; then the same of the CPU time the process spent on each request,
which another job on the machine changes far less than the wall clock. Targets
(issue 13): p95 under 50 ms at a million, at most 1.5 times the figure at a thousand.
Pages whose route this branch lacks are skipped.
"""

from __future__ import annotations

import argparse
import gc
import re
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_seed import prepared
from werkzeug.exceptions import NotFound

from smsbox.config import Config
from smsbox.message_lists import Cursor
from smsbox.models import User
from smsbox.users import create_user
from web import create_app
from web.db import SESSIONS_KEY

PASSWORD = "bench password 1234"  # noqa: S105 (a throwaway account in a temp database)
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The lists a page draws its rows in: table bodies, the conversations, the bubbles.
LISTED_ROWS = re.compile(
    r'<tbody>.*?</tbody>|<ul class="conversations">.*?</ul>|<ol class="bubbles".*?</ol>', re.S
)


@dataclass(frozen=True)
class Timing:
    """Milliseconds: the wall clock's p50 and p95, then the process's CPU time's; and
    the rows the page showed, since a page that shows more rows at a million than at a
    thousand compares two renderings rather than two sizes of table."""

    p50: float
    p95: float
    cpu_p50: float
    cpu_p95: float
    rows: int


def rows_shown(html: str) -> int:
    return sum(block.count("<tr") + block.count("<li") for block in LISTED_ROWS.findall(html))


def pages(database: Path) -> dict[str, str]:
    """The pages timed, by name: deep ones start at a cursor from the middle of the data."""
    with sqlite3.connect(database) as db:
        # `where` is one of the constant conditions below.
        def middle(where: str) -> str:
            counting = f"SELECT count(*) FROM messages WHERE {where}"  # noqa: S608
            (count,) = db.execute(counting).fetchone()
            created_at, id_ = db.execute(
                f"SELECT created_at, id FROM messages WHERE {where} "  # noqa: S608
                "ORDER BY created_at, id LIMIT 1 OFFSET ?",
                (count // 2,),
            ).fetchone()
            moment = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
            return str(Cursor(moment, id_))

        (busiest,) = db.execute(
            "SELECT number FROM messages GROUP BY number ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        (contact,) = db.execute("SELECT name FROM contacts LIMIT 1").fetchone()
        sent, received = middle("direction = 'out'"), middle("direction = 'in'")
        failed = middle("direction = 'out' AND status = 'failed'")
        unread = middle("direction = 'in' AND read_at IS NULL")
        month = (datetime.now(UTC) - timedelta(days=90)).date()
        (waiting,) = db.execute(
            "SELECT count(*) FROM messages WHERE status = 'scheduled'"
        ).fetchone()
        scheduled_at, scheduled_id = db.execute(
            "SELECT scheduled_at, id FROM messages WHERE status = 'scheduled' "
            "ORDER BY scheduled_at, id LIMIT 1 OFFSET ?",
            (waiting // 2,),
        ).fetchone()
        scheduled = Cursor(datetime.fromisoformat(scheduled_at).replace(tzinfo=UTC), scheduled_id)
        (calls,) = db.execute("SELECT count(*) FROM incoming_calls").fetchone()
        received_at, call_id = db.execute(
            "SELECT received_at, id FROM incoming_calls ORDER BY received_at, id LIMIT 1 OFFSET ?",
            (calls // 2,),
        ).fetchone()
        deep_call = Cursor(datetime.fromisoformat(received_at).replace(tzinfo=UTC), call_id)
        found = {
            "sent, first page": "/messages/sent",
            "sent, deep page": f"/messages/sent?older={sent}",
            "sent, failed, deep page": f"/messages/sent?status=failed&older={failed}",
            "received, first page": "/messages/received",
            "received, deep page": f"/messages/received?older={received}",
            "received, 100 rows": "/messages/received?size=100",
            "unread, first page": "/messages/unread",
            "unread, deep page": f"/messages/unread?older={unread}",
            "received, one month": f"/messages/received?from={month}&to={month + timedelta(30)}",
            "search, whole number": f"/messages/received?q={quote(busiest)}",
            "search, common text": "/messages/sent?q=rendez-vous",
            "search, contact name": f"/messages/received?q={quote(contact)}",
            "search, rare text": "/messages/received?q=zzz-nowhere",
            "send page": "/messages/send",
            "scheduled, first page": "/messages/scheduled",
            "scheduled, deep page": f"/messages/scheduled?after={scheduled}",
            "dashboard": "/dashboard",
            "calls, first page": "/calls",
            "calls, deep page": f"/calls?older={deep_call}",
            "calls, 100 rows": "/calls?size=100",
            "modems": "/modems",
            "one modem": "/modems/1",
            "discussions": "/discussions",
            "discussions, contact name": f"/discussions?q={quote(contact)}",
            "discussions, digits": "/discussions?q=4567",
            "discussions, no match": "/discussions?q=nobody",
            "long discussion": f"/discussions/{quote(busiest, safe='')}",
        }
    return found


def logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = CSRF_FIELD.search(html).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token})
    return client


def time_page(client: FlaskClient, path: str, requests: int) -> Timing:
    return time_in_turns([client], [path], requests)[0]


def time_in_turns(clients: list[FlaskClient], paths: list[str], requests: int) -> list[Timing]:
    """Each client's page timed in turns, a request each, so that what the machine
    does meanwhile falls on both sizes alike."""
    rows = [rows_shown(_get(client, path)) for client, path in zip(clients, paths, strict=True)]
    for _ in range(2):
        for client, path in zip(clients, paths, strict=True):
            _get(client, path)
    times: list[list[float]] = [[] for _ in clients]
    cpu_times: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, path, wall, cpu in zip(clients, paths, times, cpu_times, strict=True):
            started, cpu_started = time.perf_counter(), time.process_time()
            _get(client, path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return [
        Timing(*_p50_p95(wall), *_p50_p95(cpu), shown)
        for wall, cpu, shown in zip(times, cpu_times, rows, strict=True)
    ]


def _p50_p95(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


def _get(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return response.get_data(as_text=True)


def measure(configs: list[Config], requests: int, only: list[str]) -> list[dict[str, Timing]]:
    """Each page at each size, the sizes in turns (time_page)."""
    apps = [create_app(config) for config in configs]
    for app in apps:
        with app.extensions[SESSIONS_KEY]() as session:
            if session.scalar(select(User.id).where(User.name == "bench")) is None:
                create_user(session, "bench", PASSWORD, language="en")
                session.commit()
    clients = [logged_in(app) for app in apps]
    # As web.server.serve_for_good does before serving: what the app made to start lives
    # as long as it, and the full collections would go through it all again.
    gc.collect()
    gc.freeze()
    routes = apps[0].url_map.bind("localhost")
    named = [pages(config.data_dir / "smsbox.db") for config in configs]
    timings: list[dict[str, Timing]] = [{} for _ in configs]
    for name, path in named[0].items():
        if only and name not in only:
            continue
        try:
            routes.match(path.split("?")[0])
        except NotFound:
            continue
        # A search that reads every row is timed fewer times.
        times = requests // 4 if "rare" in name else requests
        paths = [found[name] for found in named]
        for timing, timed in zip(timings, time_in_turns(clients, paths, times), strict=True):
            timing[name] = timed
    return timings


def report(large: int, small: int, big: dict[str, Timing], few: dict[str, Timing]) -> None:
    for title, p50, p95 in (("wall clock", "p50", "p95"), ("CPU time", "cpu_p50", "cpu_p95")):
        headings = [f"p50 {large:,}", f"p95 {large:,}", f"p50 {small:,}", f"p95 {small:,}"]
        print(
            f"\n{title}\n{'page':28}"
            + "".join(f"{h:>16}" for h in headings)
            + "  ratio p95  rows (large / small)"
        )
        for name, timing in big.items():
            other = few[name]
            figures = [getattr(t, field) for t in (timing, other) for field in (p50, p95)]
            print(
                f"{name:28}"
                + "".join(f"{figure:13.1f} ms" for figure in figures)
                + f"{getattr(timing, p95) / getattr(other, p95):11.2f}"
                + f"{timing.rows:>9} / {other.rows}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--page", action="append", default=[], help="time only this page (by its name)"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "smsbox-bench")
    arguments = parser.parse_args()
    arguments.cache.mkdir(parents=True, exist_ok=True)
    sizes = [prepared(arguments.cache, size) for size in (arguments.messages, arguments.small)]
    big, few = measure(sizes, arguments.requests, arguments.page)
    report(arguments.messages, arguments.small, big, few)


if __name__ == "__main__":
    main()
