"""Statements written for each database dialect, run on the one a connection speaks."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def execute_for_dialect(connection: Connection, statements: Mapping[str, Sequence[str]]) -> None:
    for statement in statements[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def dialect_name(executor: Session | Connection) -> str:
    """The dialect of a Connection (the daemon's) or of a Session's bind (the web's)."""
    if isinstance(executor, Connection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def upsert_insert(dialect: str) -> Callable[..., Any]:
    """`insert` of the dialect named (SQLite's or PostgreSQL's), whose statements take
    ON CONFLICT clauses; its module imported when asked: PostgreSQL's dialect costs
    2 MB, which a daemon on SQLite would carry for nothing."""
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
