"""How smsbox sets up its SQLite connections, which the API's throughput rests on."""

from __future__ import annotations

from databases import sqlite_only
from sqlalchemy import text


@sqlite_only
def test_sqlite_keeps_its_temporary_files_in_memory(sessions):
    # Every message queued needs a statement journal (its insert's triggers write other
    # tables): in a file, each one cost a create, unlink and close in /var/tmp.
    with sessions() as session:
        assert session.scalar(text("PRAGMA temp_store")) == 2  # MEMORY


@sqlite_only
def test_sqlite_commits_without_waiting_for_the_disk(sessions):
    with sessions() as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
