"""The command line: setting up, and a clear one-line error for each way a setup can be wrong."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_fixtures import CONFIG, GOOD_PASSWORD, assert_clean_failure, rows, run_main
from cli_runs import smsbox
from databases import ON_POSTGRESQL, empty_database_url

from smsbox.cli import main


def test_it_creates_the_database_on_init(initialised):
    assert (initialised.parent / "data" / "smsbox.db").is_file() != ON_POSTGRESQL
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


def test_it_promises_nothing_of_the_admin_flag_that_no_page_keeps(capsys):
    with pytest.raises(SystemExit):
        main(["user", "add", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "may manage users and settings" not in help_text
    assert "no page checks it yet" in help_text


def test_it_refuses_a_short_password_with_a_clear_message(initialised):
    result = smsbox("user", "add", "alice", "--password-stdin", config=initialised, stdin="short\n")
    assert_clean_failure(result, "password", "at least")
    assert rows(initialised, "SELECT count(*) FROM users") == [(0,)]


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


@pytest.mark.parametrize("command", [("init",), ("send", "0612345678", "hello")])
def test_it_says_in_one_line_that_the_data_dir_is_not_a_directory(config_file, capsys, command):
    (config_file.parent / "data").write_text("not a directory", encoding="utf-8")
    result = run_main(capsys, "--config", str(config_file), *command)
    assert_clean_failure(result, "data_dir", "not a directory")


@pytest.mark.parametrize("url", ["foo://bar", "not a url", "mysql+nosuchdriver://db/smsbox"])
def test_it_says_in_one_line_that_the_database_url_is_unusable(tmp_path, capsys, url):
    path = tmp_path / "smsbox.toml"
    path.write_text(CONFIG + f'\n[database]\nurl = "{url}"\n', encoding="utf-8")
    assert_clean_failure(run_main(capsys, "--config", str(path), "init"), "[database].url")
    assert not (tmp_path / "data").exists()


def test_it_says_in_one_line_that_the_database_driver_is_missing(tmp_path, capsys):
    path = tmp_path / "smsbox.toml"
    # SQLCipher's driver is nowhere in our dependencies: a stand-in for psycopg not installed.
    url = f"sqlite+pysqlcipher:///{tmp_path / 'data' / 'smsbox.db'}"
    path.write_text(CONFIG + f'\n[database]\nurl = "{url}"\n', encoding="utf-8")
    result = run_main(capsys, "--config", str(path), "send", "0612345678", "hello")
    assert_clean_failure(result, "[database].url", "pysqlcipher3")


def config_with_database(tmp_path, url: str) -> Path:
    """A config with one modem (for the daemon) on the database at `url`."""
    path = tmp_path / "smsbox.toml"
    modem = '[[modem]]\nname = "sim"\ndevice = "/dev/nonexistent-modem"\n'
    path.write_text(CONFIG + f'\n[database]\nurl = "{url}"\n' + modem, encoding="utf-8")
    return path


DATABASE_COMMANDS = [("daemon",), ("web",), ("init",), ("send", "0612345678", "hello")]


@pytest.mark.parametrize("command", DATABASE_COMMANDS)
def test_it_says_in_one_line_that_the_database_does_not_connect(tmp_path, command):
    # Port 1 on this machine: nothing listens there, the connection is refused at once.
    url = "postgresql+psycopg://smsbox:secret@127.0.0.1:1/smsbox"
    result = smsbox(*command, config=config_with_database(tmp_path, url))
    assert_clean_failure(result, "cannot use the database at", "127.0.0.1:1", "refused")
    assert "secret" not in result.stderr


@pytest.mark.parametrize("command", DATABASE_COMMANDS[:2] + DATABASE_COMMANDS[3:])
def test_it_says_in_one_line_that_the_database_has_no_schema_yet(tmp_path, command):
    url = empty_database_url(tmp_path / "data")
    result = smsbox(*command, config=config_with_database(tmp_path, url))
    assert_clean_failure(result, "has no smsbox tables", "smsbox init")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_it_says_in_one_line_that_the_web_port_is_busy(initialised, busy_port):
    initialised.write_text(
        initialised.read_text(encoding="utf-8") + f"\n[web]\nport = {busy_port}\n",
        encoding="utf-8",
    )
    result = smsbox("web", config=initialised)
    assert_clean_failure(result, f"127.0.0.1:{busy_port}", "in use")


def test_it_says_in_one_line_that_the_demo_port_is_busy(tmp_path, busy_port):
    result = smsbox("demo", "--port", str(busy_port), "--data", str(tmp_path / "demo"))
    assert_clean_failure(result, f"127.0.0.1:{busy_port}", "in use")


def test_the_log_leaves_out_waitress_s_word_on_each_request_waiting_for_a_thread(
    initialised, capsys
):
    # With `[web] threads = 1` under load, that is every request but the first.
    run_main(capsys, "--config", str(initialised), "init")
    assert not logging.getLogger("waitress.queue").isEnabledFor(logging.WARNING)
    assert logging.getLogger("waitress").isEnabledFor(logging.WARNING)
