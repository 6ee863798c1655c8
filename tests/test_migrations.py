from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from smsbox.database import alembic_config, make_engine, upgrade
from smsbox.models import Base


def test_it_migrates_to_the_schema_the_models_describe(config):
    config.data_dir.mkdir()
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_it_keeps_users_of_an_older_database_with_a_first_session_version(config):
    config.data_dir.mkdir()
    migrations = alembic_config(config.database_url)
    command.upgrade(migrations, "0001")
    engine = make_engine(config.database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (name, password_hash, is_admin, created_at) "
                "VALUES ('alice', 'hash', 0, '2026-01-01 00:00:00')"
            )
        )
    command.upgrade(migrations, "head")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT session_version FROM users")) == 0
    command.downgrade(migrations, "0001")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT name FROM users")) == "alice"
    engine.dispose()
