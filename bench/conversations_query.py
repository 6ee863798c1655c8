"""How fast the conversations list and one conversation read back at scale (SQLite).

    .venv/bin/python bench/conversations_query.py [--messages N] [--numbers N] [--plans]

Seeds a year of traffic (a third sent, two thirds received, a fifth of those unread,
one contact in ten numbers) straight into a fresh database, then times the core
queries of the discussions screen: the first page, a deep page, searches, the latest
page of the longest conversation, marking one read. `--plans` prints SQLite's plan
of each query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smsbox.config import parse_config
from smsbox.conversations import (
    ConversationCursor,
    conversation_messages,
    list_conversations,
    mark_read,
)
from smsbox.database import make_engine, make_session_factory
from smsbox.models import ConversationHead, Message
from smsbox.setup import initialise

REGION = "FR"
YEAR = timedelta(days=365)
START = datetime(2025, 11, 25, tzinfo=UTC)


def seed(session: Session, messages: int, numbers: int) -> None:
    rng = random.Random(13)  # noqa: S311 (the same made-up traffic every run)
    phones = [f"+336{n:08d}" for n in rng.sample(range(10**8), numbers)]
    # A few numbers write much more than the rest, as real traffic does.
    weights = [rng.paretovariate(1.5) for _ in phones]
    chosen = rng.choices(phones, weights, k=messages)
    moments = sorted(START + YEAR * rng.random() for _ in range(messages))
    rows = []
    for number, moment in zip(chosen, moments, strict=True):
        inbound = rng.random() < 2 / 3
        rows.append(
            {
                "direction": "in" if inbound else "out",
                "number": number,
                "body": "Bonjour, à quelle heure demain ?",
                "status": "received" if inbound else "delivered",
                "created_at": moment.replace(tzinfo=None),
                "read_at": None if inbound and rng.random() < 0.2 else moment.replace(tzinfo=None),
            }
        )
    session.execute(
        text(
            "INSERT INTO messages (direction, number, raw_number, body, status, attempts,"
            " created_at, read_at) VALUES (:direction, :number, :number, :body, :status, 0,"
            " :created_at, :read_at)"
        ),
        rows,
    )
    session.execute(
        text(
            "INSERT INTO contacts (name, number, raw_number, notes, created_at)"
            " VALUES (:name, :number, :number, '', :created_at)"
        ),
        [
            {"name": f"Client {i}", "number": number, "created_at": START.replace(tzinfo=None)}
            for i, number in enumerate(phones[::10])
        ],
    )
    session.commit()


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    durations = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        durations.append((time.perf_counter() - began) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def deep_cursor(session: Session, rank: int) -> ConversationCursor:
    """The position after the `rank` newest conversations."""
    head = session.scalars(
        select(ConversationHead)
        .order_by(ConversationHead.last_at.desc(), ConversationHead.number.desc())
        .offset(rank)
        .limit(1)
    ).one()
    return ConversationCursor(head.last_at, head.number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--numbers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--plans", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        config = parse_config({"data_dir": "data"}, Path(scratch))
        initialise(config)
        engine = make_engine(config.database_url)
        sessions = make_session_factory(engine)
        began = time.perf_counter()
        with sessions() as session:
            # No ANALYZE: installed boxes never run it, the plans must hold without it.
            seed(session, arguments.messages, arguments.numbers)
        print(
            f"seeded {arguments.messages:,} messages over {arguments.numbers:,} numbers"
            f" in {time.perf_counter() - began:.0f} s"
        )
        with sessions() as session:
            middle = deep_cursor(session, arguments.numbers // 2)
            near_end = deep_cursor(session, arguments.numbers - 100)
            busiest = session.scalar(
                select(Message.number).group_by(Message.number).order_by(text("count(*) DESC"))
            )
            cases: dict[str, Callable[[], object]] = {
                "first page": lambda: list_conversations(session, default_region=REGION),
                "middle page": lambda: list_conversations(
                    session, default_region=REGION, after=middle
                ),
                "one of the last pages": lambda: list_conversations(
                    session, default_region=REGION, after=near_end
                ),
                "search '06 12' (number as typed)": lambda: list_conversations(
                    session, default_region=REGION, search="06 12"
                ),
                "search '4567' (digits anywhere)": lambda: list_conversations(
                    session, default_region=REGION, search="4567"
                ),
                "search 'Client 123' (contact name)": lambda: list_conversations(
                    session, default_region=REGION, search="Client 123"
                ),
                "search 'nobody' (no match)": lambda: list_conversations(
                    session, default_region=REGION, search="nobody"
                ),
                "busiest conversation, latest page": lambda: conversation_messages(
                    session, busiest
                ),
                "mark the busiest conversation read": lambda: mark_read(session, busiest),
            }
            print(f"{'query':40} {'p50 ms':>8} {'p95 ms':>8}")
            for name, action in cases.items():
                p50, p95 = timed(action, arguments.runs)
                print(f"{name:40} {p50:8.1f} {p95:8.1f}")
                session.rollback()
            if arguments.plans:
                print_plans(session, engine)
        engine.dispose()


def print_plans(session: Session, engine) -> None:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", record)
    list_conversations(session, default_region=REGION, search="06 12")
    event.remove(engine, "before_cursor_execute", record)
    for statement, parameters in statements:
        print(statement)
        for row in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        ):
            print("   ", row[-1])


if __name__ == "__main__":
    main()
