"""What every table shares: the metadata, UTC times, JSON documents, partial indexes
and the constants written into statements.

Nothing here names PostgreSQL's dialect: SQLAlchemy loads it (2 MB) for its JSONB type
or for a `postgresql_` argument, in a daemon on SQLite too."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Dialect, Index, MetaData, String, literal_column, text
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, gives back aware UTC: SQLite keeps no time zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC was expected")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class JsonDocument(TypeDecorator[Any]):
    """JSON; JSONB on PostgreSQL, where plain JSON has no equality, which schema
    comparison (a server default) needs."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of the rows where `where` holds. Its condition is SQLite's alone here:
    the migrations make it partial on PostgreSQL as well, and schema comparison
    (tests/test_migrations.py) does not read an index's condition."""
    return Index(name, *columns, sqlite_where=text(where))


def written(value: enum.StrEnum) -> ColumnElement[str]:
    """`value` written into the statement, not bound as a parameter. SQLite prepares a
    statement again at every run when a value bound in its WHERE decides whether a
    partial index applies (it reads the value to choose the plan): `direction = ?`
    beside the unread indexes' `direction = 'in'`, in the claim, cost 0.4 ms a claim
    (tests/test_prepared_statements.py)."""
    if "'" in value.value:
        raise ValueError(f"{value!r} cannot be written between quotes")
    return literal_column(f"'{value.value}'", String())
