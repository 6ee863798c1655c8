"""The claim statements alone: several processes claiming from one queue at once,
each as one modem's worker would (`smsbox.sending.claim`, one message a claim or up
to `batch`, as a daemon's workers do while the queue is long), no modem behind; then one
process claiming alone, each claim timed and its statements counted.

The claiming modems are not `ready`, so that routing's turn is always the asker's:
each claim runs the turn query but never defers (with ready modems that never finish
a send, the turn would go round and most asks would be deferred, measuring the
rotation rather than the statements).
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event, insert, text

from smsbox import sending
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Status, utcnow
from smsbox.modems import ensure_modem

QUEUE_BATCH = 1000
SINGLE_CLAIMS = 500


@dataclass(frozen=True)
class ClaimRate:
    processes: int
    claimed: int
    seconds: float
    twice: int

    @property
    def rate(self) -> float:
        return self.claimed / self.seconds

    def describe(self) -> str:
        return (
            f"{self.processes} processes claimed {self.claimed} messages in {self.seconds:.2f} s: "
            f"{self.rate:.0f} claims/s, {self.twice} claimed twice"
        )


@dataclass(frozen=True)
class SingleClaim:
    milliseconds: list[float]
    statements: int

    def describe(self) -> str:
        deciles = statistics.quantiles(self.milliseconds, n=10)
        return (
            f"one process claiming alone: median {statistics.median(self.milliseconds):.2f} ms "
            f"a claim (90th percentile {deciles[-1]:.2f} ms) over {len(self.milliseconds)} "
            f"claims, {self.statements / len(self.milliseconds):g} statements a claim"
        )


def queue_plain(
    database_url: str, count: int, first_number: int = 0, status: Status = Status.QUEUED
) -> None:
    """`count` single-part messages queued as `smsbox.outbox` leaves them (or, with
    `status`, already past the queue), written in batches (queueing is not what is
    measured)."""
    engine = make_engine(database_url)
    now = utcnow()
    try:
        for first in range(0, count, QUEUE_BATCH):
            # A transaction a batch: `hourly_traffic`'s trigger rewrites one row for each
            # message, and in one transaction the versions of it pile up.
            with engine.begin() as connection:
                connection.execute(
                    insert(Message),
                    [
                        {
                            "direction": Direction.OUTBOUND,
                            "number": f"+336{first_number + number:08d}",
                            "raw_number": f"06{first_number + number:08d}",
                            "body": f"claim {number}",
                            "status": status,
                            "created_at": now,
                            "attempts": 0,
                        }
                        for number in range(first, min(count, first + QUEUE_BATCH))
                    ],
                )
    finally:
        engine.dispose()


def analyze(database_url: str) -> None:
    """The statistics autovacuum gathers within a minute of so many rows written: the
    planner's choices for an installation in use, not for a table it knows nothing of."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE messages"))
    finally:
        engine.dispose()


def _claim_all(database_url: str, modem_name: str, batch: int, start, results) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        modem_id = ensure_modem(session, modem_name, f"/dev/{modem_name}")
        session.commit()
    claimed = []
    start.wait()
    with sessions() as session:
        while taken := sending.claim(session, modem_id, batch=batch):
            claimed.extend(message.id for message in taken)
    results.put((claimed, time.monotonic()))
    engine.dispose()


def measure_claims(
    database_url: str, processes: int, messages: int, batch: int = 1, history: int = 0
) -> ClaimRate:
    """`history`: messages sent before the queue, as an installation keeps them."""
    queue_plain(database_url, history, first_number=80_000_000, status=Status.SENT)
    queue_plain(database_url, messages)
    analyze(database_url)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=_claim_all, args=(database_url, f"claimer{n}", batch, start, results)
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.monotonic()
    gathered = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    ids = [id_ for claimed, _ in gathered for id_ in claimed]
    ended = max(finished for _, finished in gathered)
    return ClaimRate(processes, len(set(ids)), ended - began, len(ids) - len(set(ids)))


def measure_single_claim(database_url: str, claims: int = SINGLE_CLAIMS) -> SingleClaim:
    """`claims` messages queued, then claimed one by one by a modem of its own."""
    queue_plain(database_url, claims, first_number=90_000_000)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        modem_id = ensure_modem(session, "alone", "/dev/alone")
        session.commit()
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    milliseconds = []
    event.listen(engine, "before_cursor_execute", count)
    with sessions() as session:
        for _ in range(claims):
            started = time.perf_counter()
            if sending.claim_next(session, modem_id) is None:
                break
            milliseconds.append(1000 * (time.perf_counter() - started))
    engine.dispose()
    return SingleClaim(milliseconds, statements)
