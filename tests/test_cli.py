from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from smsbox.config import CONFIG_ENV

CONFIG = """\
data_dir = "data"

[messaging]
default_region = "FR"
timezone = "Europe/Paris"
"""
GOOD_PASSWORD = "a long enough password"


def smsbox_command() -> str:
    beside_python = Path(sys.executable).parent / "smsbox"
    found = str(beside_python) if beside_python.exists() else shutil.which("smsbox")
    assert found, "the smsbox console script is not installed"
    return found


def smsbox(
    *args: str, config: Path | None = None, stdin: str = "", env: dict[str, str] | None = None
):
    command = [smsbox_command()]
    if config is not None:
        command += ["--config", str(config)]
    environment = {key: value for key, value in os.environ.items() if key != CONFIG_ENV}
    environment.update(env or {})
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.fixture
def config_file(tmp_path) -> Path:
    path = tmp_path / "smsbox.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def initialised(config_file) -> Path:
    result = smsbox("init", config=config_file)
    assert result.returncode == 0, result.stderr
    return config_file


def rows(config_file: Path, query: str) -> list[tuple]:
    with sqlite3.connect(config_file.parent / "data" / "smsbox.db") as connection:
        return connection.execute(query).fetchall()


def assert_clean_failure(result, *expected: str) -> None:
    assert result.returncode == 1
    assert result.stderr.startswith("smsbox: ")
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_it_creates_the_database_on_init(initialised):
    assert (initialised.parent / "data" / "smsbox.db").is_file()
    assert (initialised.parent / "data" / "secret_key").is_file()
    assert rows(initialised, "SELECT count(*) FROM messages") == [(0,)]


def test_it_adds_a_user_with_a_password_from_standard_input(initialised):
    result = smsbox(
        "user", "add", "alice", "--password-stdin", config=initialised, stdin=GOOD_PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    ((name, password_hash, is_admin),) = rows(
        initialised, "SELECT name, password_hash, is_admin FROM users"
    )
    assert (name, is_admin) == ("alice", 0)
    assert GOOD_PASSWORD not in password_hash


def test_it_refuses_a_short_password_with_a_clear_message(initialised):
    result = smsbox("user", "add", "alice", "--password-stdin", config=initialised, stdin="short\n")
    assert_clean_failure(result, "password", "at least")
    assert rows(initialised, "SELECT count(*) FROM users") == [(0,)]


def test_it_queues_an_sms_in_e164_with_the_text_unchanged(initialised):
    result = smsbox("send", "06 12 34 56 78", "Bonjour é ç €", config=initialised)
    assert result.returncode == 0, result.stderr
    assert "+33612345678" in result.stdout
    assert rows(
        initialised, "SELECT number, raw_number, body, status, direction FROM messages"
    ) == [("+33612345678", "06 12 34 56 78", "Bonjour é ç €", "queued", "out")]


@pytest.mark.parametrize("text", ["   ", "\n\t\n", "\u3000"])
def test_it_refuses_to_send_a_text_of_only_white_space(initialised, text):
    assert_clean_failure(smsbox("send", "0612345678", text, config=initialised), "empty")
    assert rows(initialised, "SELECT count(*) FROM messages") == [(0,)]


def test_it_finds_the_configuration_through_the_environment(initialised):
    result = smsbox("send", "0612345678", "hello", env={CONFIG_ENV: str(initialised)})
    assert result.returncode == 0, result.stderr
    assert rows(initialised, "SELECT count(*) FROM messages") == [(1,)]


def test_it_refuses_to_send_to_something_that_is_not_a_number(initialised):
    result = smsbox("send", "garbage", "text", config=initialised)
    assert_clean_failure(result, "garbage")
    assert rows(initialised, "SELECT count(*) FROM messages") == [(0,)]


def test_it_names_an_unknown_configuration_key_without_a_traceback(tmp_path):
    path = tmp_path / "smsbox.toml"
    path.write_text(CONFIG + '\n[web]\nhots = "localhost"\n', encoding="utf-8")
    assert_clean_failure(smsbox("init", config=path), "[web].hots")
    assert not (tmp_path / "data").exists()


def test_it_writes_no_secret_key_outside_the_data_directory(tmp_path):
    path = tmp_path / "smsbox.toml"
    path.write_text(CONFIG + '\n[web]\nsecret_key_file = "../stolen_key"\n', encoding="utf-8")
    assert_clean_failure(smsbox("init", config=path), "[web].secret_key_file")
    assert not (tmp_path / "stolen_key").exists()


def test_it_names_a_missing_configuration_file(tmp_path):
    missing = tmp_path / "nowhere.toml"
    assert_clean_failure(smsbox("init", config=missing), str(missing))
