"""The command line's test fixtures: a configuration file on a fresh database (a
pytest plugin, named in conftest.py) and the checks the CLI tests share."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_runs import smsbox
from databases import database_toml
from sqlalchemy import text as sql

from smsbox.cli import main
from smsbox.config import load_config
from smsbox.database import make_engine

CONFIG = """\
data_dir = "data"

[messaging]
default_region = "FR"
timezone = "Europe/Paris"
"""
GOOD_PASSWORD = "a long enough password"


def run_main(capsys, *argv: str) -> subprocess.CompletedProcess:
    """The CLI in this process, for failures that need no real process around them."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(argv, status, out, err)


@pytest.fixture
def config_file(tmp_path) -> Path:
    path = tmp_path / "smsbox.toml"
    path.write_text(CONFIG + database_toml(tmp_path / "data"), encoding="utf-8")
    return path


@pytest.fixture
def initialised(config_file) -> Path:
    result = smsbox("init", config=config_file)
    assert result.returncode == 0, result.stderr
    return config_file


def rows(config_file: Path, query: str) -> list[tuple]:
    engine = make_engine(load_config(str(config_file)).database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sql(query))]
    finally:
        engine.dispose()


def assert_clean_failure(result, *expected: str) -> None:
    assert result.returncode == 1
    assert result.stderr.startswith("smsbox: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr
