"""The data `web_latency.py` times the pages on: a year of traffic seeded into a SQLite
file kept under the temp directory between runs (mixed directions and states, over one
number per 20 messages, a tenth of them known contacts; a call per 20 messages; three
modems with their recent errors), brought to the newest schema when it is older."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smsbox.config import Config, parse_config
from smsbox.database import alembic_config
from smsbox.setup import initialise

YEAR = timedelta(days=365)
OUTBOUND_STATES = [
    ("delivered", 70),
    ("sent", 15),
    ("failed", 5),
    ("expired", 3),
    ("blocked", 3),
    ("queued", 2),
    ("interrupted", 1),
    ("scheduled", 1),
]
OUTBOUND_TEXTS = [
    "Rappel : rendez-vous le {day} à {hour} h. Répondez STOP pour ne plus recevoir.",
    "Votre commande n° {n} est prête, à retirer à l'accueil avant le {day}.",
    "Bonjour, la réunion du conseil est déplacée au {day} à {hour} h. Ordre du jour : "
    "budget, travaux, questions diverses. Merci de confirmer votre présence.",
    "Code de confirmation : {n}. Il expire dans 10 minutes.",
    "Votre facture de {n} € est disponible dans votre espace client.",
]
INBOUND_TEXTS = [
    "Oui je confirme pour le {day}",
    "Merci !",
    "Je serai en retard de {hour} minutes, désolé",
    "STOP",
    "Bonjour, pouvez-vous me rappeler au sujet de la facture {n} ? Je suis joignable "
    "le matin avant {hour} h. Cordialement.",
    "Ok 👍",
]
NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
MODEMS = 3
MODEM_ERRORS = 50  # as many as smsbox.modems keeps


def seed(path: Path, messages: int, numbers: int) -> None:
    """`messages` rows over the last year, oldest first, by executemany without the
    messages' indexes, which are built once at the end."""
    rng = random.Random(13)  # noqa: S311 (made-up traffic, the same at each run)
    phones = [f"+336{n:08d}" for n in rng.sample(range(10**8), numbers)]
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'messages' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        end = datetime.now(UTC)
        start = end - YEAR
        moments = sorted(rng.random() for _ in range(messages))
        db.executemany(
            "INSERT INTO messages (direction, number, raw_number, body, status, attempts, "
            "created_at, sent_at, delivered_at, read_at, scheduled_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (_row(rng, rng.choice(phones), start + YEAR * moment) for moment in moments),
        )
        db.executemany(
            "INSERT INTO contacts (name, number, raw_number, notes, created_at) "
            "VALUES (?,?,?,'',?)",
            (
                (f"{rng.choice(NAMES)} {i}", phone, phone, _stored(start))
                for i, phone in enumerate(phones[: numbers // 10])
            ),
        )
        for _, sql in indexes:
            db.execute(sql)
        _seed_modems_and_calls(db, rng, phones, start, calls=max(messages // 20, 1))
        db.execute("ANALYZE")


def _seed_modems_and_calls(
    db: sqlite3.Connection, rng: random.Random, phones: list[str], start: datetime, calls: int
) -> None:
    seen = _stored(datetime.now(UTC))
    for number in range(1, MODEMS + 1):
        db.execute(
            "INSERT INTO modems (id, name, device, state, signal_quality, last_seen_at,"
            " registration, operator, storage_used, storage_total, status_checked_at, role)"
            " VALUES (?, ?, ?, 'ready', ?, ?, 'home', 'Orange F', ?, 50, ?, 'both')",
            (number, f"modem-{number}", f"/dev/ttyUSB{number}", 10 + 5 * number, seen, 3, seen),
        )
        db.executemany(
            "INSERT INTO modem_errors (modem_id, error, first_at, last_at, times)"
            " VALUES (?, ?, ?, ?, 1)",
            (
                (number, f"the serial port failed ({error})", at, at)
                for error in range(MODEM_ERRORS)
                for at in [_stored(start + YEAR * error / MODEM_ERRORS)]
            ),
        )
    moments = sorted(rng.random() for _ in range(calls))
    db.executemany(
        "INSERT INTO incoming_calls (number, raw_number, received_at, modem_id, rings,"
        " last_ring_at, hung_up) VALUES (?, ?, ?, ?, ?, ?, 0)",
        (
            (caller, caller, at, rng.randint(1, MODEMS), rng.randint(1, 6), at)
            for moment in moments
            for caller in [None if rng.random() < 0.1 else rng.choice(phones)]
            for at in [_stored(start + YEAR * moment)]
        ),
    )


def _row(rng: random.Random, number: str, created_at: datetime) -> tuple[object, ...]:
    values = {"day": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}", "hour": rng.randint(8, 19)}
    values["n"] = rng.randint(1000, 99999)
    when = _stored(created_at)
    if rng.random() < 0.55:
        (status,) = rng.choices(
            [s for s, _ in OUTBOUND_STATES], weights=[w for _, w in OUTBOUND_STATES]
        )
        body = rng.choice(OUTBOUND_TEXTS).format(**values)
        sent = when if status in ("sent", "delivered") else None
        delivered = when if status == "delivered" else None
        # Those still waiting leave within the year to come, as the daemon releases the rest.
        scheduled = _stored(created_at + YEAR) if status == "scheduled" else None
        return ("out", number, number, body, status, 1, when, sent, delivered, None, scheduled)
    read = when if rng.random() < 0.9 else None
    body = rng.choice(INBOUND_TEXTS).format(**values)
    return ("in", number, number, body, "received", 0, when, None, None, read, None)


def _stored(moment: datetime) -> str:
    """As smsbox.models.UTCDateTime writes it in SQLite: naive UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def prepared(cache: Path, messages: int) -> Config:
    """A data directory holding `messages` messages: the cached one when it is there
    (brought to the newest schema by the migrations), else seeded anew."""
    # -3: the scheduled messages have their time (seeded in the future) since the
    # Scheduled page came, and the calls and modems are seeded since their pages came.
    data = cache / f"web-latency-{messages}-3"
    config = parse_config(
        {"data_dir": str(data), "messaging": {"default_region": "FR", "timezone": "Europe/Paris"}},
        cache,
    )
    database = data / "smsbox.db"
    if database.exists() and (data / "seeded").exists():
        if _revision(database) != _head_revision():
            started = time.perf_counter()
            initialise(config)
            print(f"migrated {messages:,} messages in {time.perf_counter() - started:.0f} s")
        return config
    for stale in data.glob("smsbox.db*"):
        stale.unlink()
    (data / "seeded").unlink(missing_ok=True)
    initialise(config)
    started = time.perf_counter()
    seed(database, messages, max(messages // 20, 1))
    print(f"seeded {messages:,} messages in {time.perf_counter() - started:.0f} s")
    (data / "seeded").touch()
    return config


def copy_seeded(seeded: Path, data: Path) -> None:
    """The seeded database into the data directory `data` (made here), for a run that
    writes to it: the cached one stays as seeded."""
    data.mkdir()
    # The seeded database may keep part of itself in its WAL: into the file first.
    with sqlite3.connect(seeded / "smsbox.db") as source:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.close()
    shutil.copy(seeded / "smsbox.db", data / "smsbox.db")


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def _revision(database: Path) -> str | None:
    with sqlite3.connect(database) as db:
        found = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return found[0] if found else None
