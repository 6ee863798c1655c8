"""Statements written for each database dialect, run on the one a connection speaks."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection


def execute_for_dialect(connection: Connection, statements: Mapping[str, Sequence[str]]) -> None:
    for statement in statements[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def upsert_insert(dialect: str) -> Callable[..., Any]:
    """`insert` of the dialect named (SQLite's or PostgreSQL's), whose statements take
    ON CONFLICT clauses; its module imported when asked: PostgreSQL's dialect costs
    2 MB, which a daemon on SQLite would carry for nothing."""
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
