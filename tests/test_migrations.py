"""Revisions bring a database to the models' schema, and move the rows they must."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from databases import ON_POSTGRESQL, empty_database_url
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smsbox import message_search
from smsbox.contacts.name_search import CONTACT_NAMES
from smsbox.conversations import CONVERSATION_NUMBERS
from smsbox.database import alembic_config, make_engine, upgrade
from smsbox.models import Base, Contact


def test_it_migrates_to_the_schema_the_models_describe(tmp_path):
    url = empty_database_url(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        # The trigram indexes are the database's own kind of table or index, no model's.
        unmodelled_names = (
            message_search.MESSAGE_TEXTS.unmodelled
            | CONVERSATION_NUMBERS.unmodelled
            | CONTACT_NAMES.unmodelled
        )
        unmodelled = lambda name, *_: name not in unmodelled_names  # noqa: E731
        context = MigrationContext.configure(
            connection, opts={"compare_server_default": True, "include_name": unmodelled}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_it_keeps_users_of_an_older_database_with_a_first_session_version(tmp_path):
    config, engine = database_at(tmp_path, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (name, password_hash, is_admin, created_at) "
                "VALUES ('alice', 'hash', false, '2026-01-01 00:00:00')"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT session_version FROM users")) == 0
    command.downgrade(config, "0001")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT name FROM users")) == "alice"


PART = (
    "INSERT INTO inbound_parts (key, modem_id, number, part_number, total_parts, pdu,"
    " received_at) VALUES (:key, 1, '+33611111111', 1, 1, '00', '2024-05-01 12:00:00')"
)


def keys(engine) -> list[str | None]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT key FROM inbound_parts ORDER BY id")))


def database_at(tmp_path, revision: str):
    """A new database brought to `revision`: its Alembic config and its engine."""
    url = empty_database_url(tmp_path)
    config = alembic_config(url)
    command.upgrade(config, revision)
    return config, make_engine(url)


def test_it_releases_the_keys_of_parts_stored_before_slots_were_keyed(tmp_path):
    config, engine = database_at(tmp_path, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO modems (name, device, state) VALUES ('sim', 'x', '')"))
        connection.execute(text(PART), {"key": "hash of modem and PDU"})

    command.upgrade(config, "0004_inbound_slots")
    assert keys(engine) == [None]
    with engine.begin() as connection:
        connection.execute(text(PART), {"key": None})  # NULLs never collide
        connection.execute(text(PART), {"key": "a slot"})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(PART), {"key": "a slot"})

    command.downgrade(config, "0001")
    assert None not in keys(engine)
    assert len(set(keys(engine))) == 3
    command.upgrade(config, "head")


MESSAGE = (
    "INSERT INTO messages (direction, number, raw_number, body, status, attempts, created_at)"
    " VALUES ('in', :number, :number, :body, 'received', 0, :at)"
)


def test_it_gathers_the_conversations_of_the_messages_already_stored(tmp_path):
    config, engine = database_at(tmp_path, "0012_message_list_indexes")
    with engine.begin() as connection:
        for number, body, at in [
            ("+33611111111", "older", "2026-01-01 10:00:00"),
            ("+33611111111", "same instant, stored first", "2026-01-02 10:00:00"),
            ("+33611111111", "same instant, stored last", "2026-01-02 10:00:00"),
            ("+33622222222", "only one", "2026-01-01 09:00:00"),
        ]:
            connection.execute(text(MESSAGE), {"number": number, "body": body, "at": at})

    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.number, m.body FROM conversations c"
                " JOIN messages m ON m.id = c.last_message_id ORDER BY c.last_at DESC"
            )
        ).all()
    assert rows == [("+33611111111", "same instant, stored last"), ("+33622222222", "only one")]
    command.downgrade(config, "0012_message_list_indexes")
    command.upgrade(config, "head")


def conversation_numbers(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT number FROM conversations ORDER BY number")))


# PostgreSQL alters tables in place: no revision copies `messages` there.
@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's batch mode copies tables")
def test_it_gives_back_the_conversation_triggers_a_later_batch_copy_of_messages_loses(tmp_path):
    config, engine = database_at(tmp_path, "head")
    with engine.begin() as connection:
        later_revision = Operations(MigrationContext.configure(connection))
        with later_revision.batch_alter_table("messages", recreate="always"):
            pass
        connection.execute(text(MESSAGE), {"number": "+1", "body": "lost", "at": "2026-01-01"})
    assert conversation_numbers(engine) == []

    command.upgrade(config, "head")
    with engine.begin() as connection:
        connection.execute(text(MESSAGE), {"number": "+2", "body": "kept", "at": "2026-01-01"})
    assert conversation_numbers(engine) == ["+2"]


def test_it_counts_the_messages_already_stored_per_hour(tmp_path):
    config, engine = database_at(tmp_path, "0013_conversations")
    with engine.begin() as connection:
        for number, at in [
            ("+33611111111", "2026-01-01 10:00:00"),
            ("+33622222222", "2026-01-01 10:59:59.999999"),
            ("+33611111111", "2026-01-01 11:00:00"),
        ]:
            connection.execute(text(MESSAGE), {"number": number, "body": "hello", "at": at})

    command.upgrade(config, "head")
    with engine.begin() as connection:
        connection.execute(text(MESSAGE), {"number": "+3", "body": "later", "at": "2026-01-01"})
        rows = connection.execute(
            text("SELECT hour, direction, status, total FROM hourly_traffic ORDER BY hour")
        ).all()
    hour = 490_896  # 2026-01-01 00:00 UTC, in hours since 1970
    assert rows == [
        (hour, "in", "received", 1),
        (hour + 10, "in", "received", 2),
        (hour + 11, "in", "received", 1),
    ]
    command.downgrade(config, "0013_conversations")
    command.upgrade(config, "head")


@pytest.mark.skipif(ON_POSTGRESQL, reason="PostgreSQL's tables have no rowid")
def test_it_keeps_the_traffic_counts_in_their_key_without_a_rowid_from_0033(tmp_path):
    config, engine = database_at(tmp_path, "0032_traffic_shards")
    with engine.begin() as connection:
        connection.execute(text(MESSAGE), {"number": "+1", "body": "one", "at": "2026-01-01"})

    def layout() -> tuple[str, list[tuple[int, str, str, int]]]:
        with engine.begin() as connection:
            connection.execute(text(MESSAGE), {"number": "+2", "body": "more", "at": "2026-01-01"})
            table = connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'hourly_traffic'")
            )
            counts = connection.execute(
                text("SELECT hour, direction, status, total FROM hourly_traffic")
            ).all()
        return table, counts

    command.upgrade(config, "0033_traffic_without_rowid")
    table, counts = layout()
    assert table.endswith("WITHOUT ROWID")
    assert counts == [(490_896, "in", "received", 2)]
    command.downgrade(config, "0032_traffic_shards")
    table, counts = layout()
    assert not table.endswith("WITHOUT ROWID")
    assert counts == [(490_896, "in", "received", 3)]


def test_it_keeps_contacts_and_lets_two_share_a_number_from_0022(config):
    config.data_dir.mkdir()
    migrations = alembic_config(config.database_url)
    command.upgrade(migrations, "0013_conversations")
    engine = make_engine(config.database_url)
    contact = (
        "INSERT INTO contacts (name, number, raw_number, notes, created_at)"
        " VALUES (:name, '+33612345678', '06 12 34 56 78', 'VIP', '2024-05-01 12:00:00')"
    )
    with engine.begin() as connection:
        connection.execute(text(contact), {"name": "Alice"})
    command.upgrade(migrations, "0022_contacts")
    with engine.begin() as connection:
        connection.execute(text(contact), {"name": "Bob"})
    with Session(engine) as session:
        contacts = session.query(Contact).order_by(Contact.id).all()
        assert [(c.name, c.notes, c.fields) for c in contacts] == [
            ("Alice", "VIP", {}),
            ("Bob", "VIP", {}),
        ]
    engine.dispose()
