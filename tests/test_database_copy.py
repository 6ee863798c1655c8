"""`smsbox db copy`: an installation moved between databases with nothing lost.

The round trip starts and ends on SQLite files, by nature; the database in the middle
is the test database (PostgreSQL when the suite runs on it).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta, timezone

from databases import empty_database_url
from message_rows import message
from outbox_rows import interrupt_second_of_three
from sqlalchemy import select

from smsbox.calls import record_call
from smsbox.cli import main
from smsbox.copying import summarise
from smsbox.database import make_engine, make_session_factory, upgrade
from smsbox.models import Direction, Message
from smsbox.modems import ensure_modem
from smsbox.optouts import opt_out
from smsbox.outbox import queue_message
from smsbox.users import create_user

# Microseconds and a zone other than UTC: both must come back as the same instant.
ODD_INSTANT = datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=timezone(timedelta(hours=5)))


def sqlite_url(tmp_path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def installation_with_everything(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        create_user(session, "alice", "a long enough password", language="en")
        modem_id = ensure_modem(session, "sim1", "/dev/ttyUSB0")
        for number in ("0611111111", "0622222222"):
            queue_message(session, number, "bonjour é €", default_region="FR")
        received = message("+33633333333", "STOP", ODD_INSTANT)
        received.modem_id = modem_id
        session.add(received)
        session.commit()
        interrupt_second_of_three(session, modem_id)
        opt_out(session, "+33633333333")
        record_call(session, modem_id, "0644444444", ODD_INSTANT, 2, default_region="FR")
        session.commit()
    engine.dispose()


def copy(capsys, source: str, target: str) -> subprocess.CompletedProcess:
    status = main(["db", "copy", "--from", source, "--to", target])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess([], status, out, err)


def summary(url: str):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return summarise(connection)
    finally:
        engine.dispose()


def test_it_copies_an_installation_there_and_back_with_nothing_lost(tmp_path, capsys):
    first, back = sqlite_url(tmp_path, "first.db"), sqlite_url(tmp_path, "back.db")
    middle = empty_database_url(tmp_path / "middle")
    installation_with_everything(first)

    there = copy(capsys, first, middle)
    assert there.returncode == 0, there.stderr
    assert "every table has the same rows" in there.stdout
    again = copy(capsys, middle, back)
    assert again.returncode == 0, again.stderr

    original = summary(first)
    assert summary(back) == original
    counts = {table.name: table.rows for table in original}
    assert counts["messages"] == 3
    assert counts["message_parts"] == 3
    assert (counts["users"], counts["opt_outs"], counts["incoming_calls"]) == (1, 1, 1)
    assert counts["conversations"] == 3
    assert "messages" in there.stdout and "3" in there.stdout

    engine = make_engine(middle)
    with make_session_factory(engine)() as session:
        received = session.scalar(select(Message).where(Message.direction == Direction.INBOUND))
        assert received.created_at == ODD_INSTANT
        assert received.created_at.tzinfo == UTC
        # The ids went over as they were: new rows must not collide with them.
        added = queue_message(session, "0655555555", "after the copy", default_region="FR")
        session.commit()
        assert added.id == 4
    engine.dispose()


def test_it_refuses_a_target_that_already_holds_rows(tmp_path, capsys):
    source, target = sqlite_url(tmp_path, "source.db"), empty_database_url(tmp_path / "target")
    installation_with_everything(source)
    upgrade(target)
    engine = make_engine(target)
    with make_session_factory(engine)() as session:
        create_user(session, "bob", "another long password")
        session.commit()
    engine.dispose()
    before = summary(target)

    result = copy(capsys, source, target)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not empty (users)" in result.stderr
    assert summary(target) == before


def test_it_refuses_a_source_without_the_schema(tmp_path, capsys):
    result = copy(capsys, sqlite_url(tmp_path, "empty.db"), empty_database_url(tmp_path / "to"))
    assert result.returncode == 1
    assert "has no smsbox tables" in result.stderr
    assert "Traceback" not in result.stderr
