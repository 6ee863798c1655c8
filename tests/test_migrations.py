"""Revisions that move data, on a SQLite database holding rows of the revision before."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from smsbox.database import _alembic_config, make_engine

PART = (
    "INSERT INTO inbound_parts (key, modem_id, number, part_number, total_parts, pdu,"
    " received_at) VALUES (:key, 1, '+33611111111', 1, 1, '00', '2024-05-01 12:00:00')"
)


def keys(engine) -> list[str | None]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT key FROM inbound_parts ORDER BY id")))


def test_it_releases_the_keys_of_parts_stored_before_slots_were_keyed(tmp_path):
    url = f"sqlite:///{tmp_path / 'smsbox.sqlite'}"
    config = _alembic_config(url)
    engine = make_engine(url)
    command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO modems (name, device, state) VALUES ('sim', 'x', '')"))
        connection.execute(text(PART), {"key": "hash of modem and PDU"})

    command.upgrade(config, "0003")
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
    engine.dispose()
