"""Statements written for each database dialect, run on the one a connection speaks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection


def execute_for_dialect(connection: Connection, statements: Mapping[str, Sequence[str]]) -> None:
    for statement in statements[connection.dialect.name]:
        connection.exec_driver_sql(statement)
