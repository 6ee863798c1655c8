"""Modem leases: a modem, by name, is served by one daemon at a time, on any host.

A daemon takes the lease of each modem it is configured with before touching the
modem's row, renews it while alive and releases it when it stops cleanly. A lease
not renewed expires: the next daemon configured with that modem takes it over and
runs the recovery a restart runs (in-flight parts end `interrupted`).

Times come from the database's clock on PostgreSQL, so that hosts whose clocks
drift apart still agree on when a lease expires; SQLite serves one host.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, delete, func, or_, select, update

from smsbox.dialect_sql import dialect_name, upsert_insert
from smsbox.tables import modem_leases, modems, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Owner:
    """A daemon as its leases name it."""

    host: str
    token: str  # host, process id and a random part: unique to one run of a daemon


@dataclass(frozen=True)
class Holder:
    """Who holds a modem's lease, until when."""

    host: str
    owner: str
    expires_at: datetime


def database_now(session: Session) -> datetime:
    if dialect_name(session) == "postgresql":
        return session.scalar(select(func.now())).astimezone(UTC)
    return utcnow()


def take(
    session: Session,
    modem_name: str,
    owner: Owner,
    seconds: float,
    now: datetime | None = None,
    *,
    supersede: str | None = None,
) -> Holder:
    """Take the modem's lease if it is free, expired, already `owner`'s, or held by
    the owner `supersede` (a daemon known dead), in one statement (two daemons
    racing for it: one wins); returns who holds it now. The caller commits."""
    now = now or database_now(session)
    statement = upsert_insert(dialect_name(session))(modem_leases).values(
        modem_name=modem_name,
        owner=owner.token,
        host=owner.host,
        acquired_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    mine = modem_leases.c.owner == statement.excluded.owner
    statement = statement.on_conflict_do_update(
        index_elements=[modem_leases.c.modem_name],
        set_={
            "owner": statement.excluded.owner,
            "host": statement.excluded.host,
            "acquired_at": case(
                (mine, modem_leases.c.acquired_at), else_=statement.excluded.acquired_at
            ),
            "expires_at": statement.excluded.expires_at,
        },
        where=or_(mine, modem_leases.c.expires_at <= now, modem_leases.c.owner == supersede),
    )
    session.execute(statement)
    held_by = select(modem_leases.c.host, modem_leases.c.owner, modem_leases.c.expires_at)
    return Holder(*session.execute(held_by.where(modem_leases.c.modem_name == modem_name)).one())


def renew(
    session: Session,
    modem_names: Sequence[str],
    owner: Owner,
    seconds: float,
    now: datetime | None = None,
) -> set[str]:
    """Push the end of each of these leases `seconds` past now, where `owner` still
    holds it (nobody took it over), in one statement whatever their number; returns
    the names renewed. The caller commits."""
    now = now or database_now(session)
    renewed = session.scalars(
        update(modem_leases)
        .where(modem_leases.c.modem_name.in_(modem_names), modem_leases.c.owner == owner.token)
        .values(expires_at=now + timedelta(seconds=seconds))
        .returning(modem_leases.c.modem_name)
    )
    return set(renewed)


def release(session: Session, modem_name: str, owner: Owner) -> None:
    """Give the lease up at once, if `owner` still holds it. The caller commits."""
    session.execute(
        delete(modem_leases).where(
            modem_leases.c.modem_name == modem_name, modem_leases.c.owner == owner.token
        )
    )


def holders(session: Session, now: datetime | None = None) -> dict[str, Holder]:
    """The unexpired leases, by modem name."""
    now = now or database_now(session)
    unexpired = session.execute(
        select(
            modem_leases.c.modem_name,
            modem_leases.c.host,
            modem_leases.c.owner,
            modem_leases.c.expires_at,
        ).where(modem_leases.c.expires_at > now)
    )
    return {name: Holder(host, owner, expires_at) for name, host, owner, expires_at in unexpired}


def lapsed_names(session: Session, now: datetime | None = None) -> list[str]:
    """The modems whose leases expired: their daemons stopped renewing them."""
    now = now or database_now(session)
    lapsed_leases = select(modem_leases.c.modem_name).where(modem_leases.c.expires_at <= now)
    return list(session.scalars(lapsed_leases))


def held(now: datetime | ColumnElement[datetime]):
    """The SQL condition of a modem a live daemon serves, though it may still be
    connecting to it: its lease runs."""
    return (
        select(modem_leases.c.modem_name)
        .where(modem_leases.c.modem_name == modems.c.name, modem_leases.c.expires_at > now)
        .exists()
    )


def lapsed(now: datetime | ColumnElement[datetime]):
    """The SQL condition of a modem whose daemon stopped renewing its lease: a daemon
    that died, whose modem must get no new work though its row still says ready."""
    return (
        select(modem_leases.c.modem_name)
        .where(modem_leases.c.modem_name == modems.c.name, modem_leases.c.expires_at <= now)
        .exists()
    )
