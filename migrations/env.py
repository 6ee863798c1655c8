from alembic import context
from sqlalchemy import inspect

from smsbox import conversation_triggers, message_search, traffic_triggers, unread_triggers
from smsbox.contacts.name_search import CONTACT_NAMES
from smsbox.conversations import CONVERSATION_NUMBERS
from smsbox.database import make_engine
from smsbox.models import Base

url = context.config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Batch mode copies and drops tables that others reference.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(
                connection=connection, target_metadata=Base.metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
                # A later revision may have copied `messages` without its triggers.
                tables = inspect(connection)
                if tables.has_table("conversations"):
                    conversation_triggers.create_triggers(connection)
                if tables.has_table("hourly_traffic"):
                    traffic_triggers.create_triggers(connection)
                if tables.has_table("unread_total"):
                    unread_triggers.create_triggers(connection)
                for index in (message_search.MESSAGE_TEXTS, CONVERSATION_NUMBERS, CONTACT_NAMES):
                    if tables.has_table(index.fts_table):
                        index.create_triggers(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
