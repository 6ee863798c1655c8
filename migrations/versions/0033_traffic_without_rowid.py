"""traffic without rowid: on SQLite, hourly_traffic keeps its counts in its key's own
B-tree, so that the dashboard reads a counter's total where it finds its key instead of
looking it up in the table (the month's 5,157 counters at a million messages)

Revision ID: 0033_traffic_without_rowid
Revises: 0032_traffic_shards
Create Date: 2026-11-26 22:10:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox import traffic_triggers

revision: str = "0033_traffic_without_rowid"
down_revision: str | Sequence[str] | None = "0032_traffic_shards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "hour INTEGER NOT NULL, direction VARCHAR(3) NOT NULL, status VARCHAR(16) NOT NULL,"
    " shard SMALLINT DEFAULT '0' NOT NULL, total INTEGER NOT NULL,"
    " PRIMARY KEY (hour, direction, status, shard)"
)


def _copy(options: str) -> None:
    """hourly_traffic made again on SQLite with `options`, its rows copied. PostgreSQL
    has no rowid: its table stays as it is."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    traffic_triggers.drop_triggers(connection)
    op.execute(f"CREATE TABLE hourly_traffic_copy ({_COLUMNS}){options}")
    op.execute("INSERT INTO hourly_traffic_copy SELECT * FROM hourly_traffic")
    op.execute("DROP TABLE hourly_traffic")
    op.execute("ALTER TABLE hourly_traffic_copy RENAME TO hourly_traffic")
    traffic_triggers.create_triggers(connection)


def upgrade() -> None:
    _copy(" WITHOUT ROWID")


def downgrade() -> None:
    _copy("")
