"""`smsbox backup` while the daemon sends, `smsbox restore` into a working installation,
and the backups it refuses with nothing changed."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runs import smsbox, smsbox_command
from config_files import write_config_file
from daemon_fixtures import ON_THE_NETWORK, configured
from sqlalchemy import func, select
from waiting import wait_until

from modem.sim import SimulatedModem
from smsbox.config import Config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message
from smsbox.outbox import queue_message


@pytest.fixture
def installation(tmp_path) -> Config:
    return configured(tmp_path, str(tmp_path / "modem"))


@pytest.fixture
def config_file(tmp_path, installation) -> Path:
    return write_config_file(installation, tmp_path / "smsbox.toml")


def counts(config: Config) -> dict[str, int]:
    """How many outbound messages in each state; the engine is closed again, so that
    this process holds no connection to the database a restore replaces."""
    engine = make_engine(config.database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(Message.status, func.count())
                .where(Message.direction == Direction.OUTBOUND)
                .group_by(Message.status)
            )
            return {str(status): count for status, count in rows}
    finally:
        engine.dispose()


def queue(config: Config, count: int, text: str) -> None:
    engine = make_engine(config.database_url)
    try:
        with make_session_factory(engine)() as session:
            for index in range(count):
                queue_message(
                    session, f"+336123400{index:02}", f"{text} {index}", default_region="FR"
                )
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture
def daemon(config_file) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [smsbox_command(), "--config", str(config_file), "daemon"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=60)


def test_a_backup_taken_while_the_daemon_sends_restores_into_a_working_installation(
    tmp_path, installation, config_file
):
    backup_file = tmp_path / "backup" / "smsbox.backup"
    backup_file.parent.mkdir()
    with SimulatedModem(installation.modems[0].device) as sim:
        sim.slow(0.1)
        queue(installation, 40, "avant")
        daemon = subprocess.Popen([smsbox_command(), "--config", str(config_file), "daemon"])
        try:
            sim.wait_for_sent(5, timeout=30)
            taken = smsbox("backup", str(backup_file), config=config_file)
            assert taken.returncode == 0, taken.stderr
            wait_until(lambda: len(sim.sent()) == 40, timeout=60)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
        assert backup_file.stat().st_mode & 0o077 == 0  # every message is in it
        assert not backup_file.with_name("smsbox.backup.partial").exists()

        queue(installation, 3, "après")  # not in the backup
        restored = smsbox("restore", "--yes", str(backup_file), config=config_file)
        assert restored.returncode == 0, restored.stderr
        at_backup = counts(installation)
        assert sum(at_backup.values()) == 40
        assert 0 < at_backup.get("queued", 0) < 40  # a snapshot taken mid-run

        # The restored box works: the daemon takes it from there.
        queue(installation, 1, "après la restauration")
        daemon = subprocess.Popen([smsbox_command(), "--config", str(config_file), "daemon"])
        try:
            wait_until(lambda: any(s.text == "après la restauration 0" for s in sim.sent()), 60)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    finished = counts(installation)
    assert set(finished) <= {str(state) for state in ON_THE_NETWORK} | {"interrupted"}


def test_it_refuses_a_file_that_is_no_backup_and_changes_nothing(
    tmp_path, installation, config_file
):
    queue(installation, 2, "gardé")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("bonjour\n" * 100)
    result = smsbox("restore", "--yes", str(not_a_backup), config=config_file)
    assert result.returncode == 1
    assert result.stderr == f"smsbox: not restored: {not_a_backup} is not a database backup\n"
    assert counts(installation) == {"queued": 2}


def sqlite_only(config: Config) -> None:
    if not config.database_url.startswith("sqlite"):
        pytest.skip("edits a SQLite backup file")


def test_it_refuses_a_backup_from_a_newer_smsbox(tmp_path, installation, config_file):
    sqlite_only(installation)
    backup_file = tmp_path / "smsbox.backup"
    assert smsbox("backup", str(backup_file), config=config_file).returncode == 0
    with sqlite3.connect(backup_file) as edited:
        edited.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    edited.close()
    queue(installation, 1, "gardé")
    result = smsbox("restore", "--yes", str(backup_file), config=config_file)
    assert result.returncode == 1
    assert "comes from a newer smsbox (schema 0099_from_the_future" in result.stderr
    assert counts(installation) == {"queued": 1}


def test_it_refuses_to_restore_while_the_daemon_runs_and_says_how_to_stop_it(
    tmp_path, installation, config_file, daemon
):
    sqlite_only(installation)
    backup_file = tmp_path / "smsbox.backup"
    assert smsbox("backup", str(backup_file), config=config_file).returncode == 0
    database = Path(installation.database_url.removeprefix("sqlite:///"))
    from smsbox.doctor.holders import processes_holding

    with SimulatedModem(installation.modems[0].device):
        wait_until(lambda: processes_holding(database), timeout=30)
        result = smsbox("restore", "--yes", str(backup_file), config=config_file)
    assert result.returncode == 1
    assert f"the database is in use by smsbox (pid {daemon.pid})" in result.stderr
    assert "sudo systemctl stop smsbox-daemon smsbox-web" in result.stderr
