from __future__ import annotations

from pathlib import Path

import pytest

from smsbox.config import (
    CONFIG_ENV,
    ConfigError,
    DaemonConfig,
    RetentionConfig,
    load_config,
    parse_config,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_config(directory: Path, text: str) -> Path:
    path = directory / "smsbox.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_defaults_to_sqlite_under_the_data_dir_and_port_8080(tmp_path):
    config = parse_config({}, tmp_path)
    assert config.data_dir == (tmp_path / "data").resolve()
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'smsbox.db'}"
    assert config.web.port == 8080
    assert config.modems == ()


def test_it_resolves_a_relative_data_dir_against_the_files_directory(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    etc = tmp_path / "etc"
    etc.mkdir()
    path = write_config(etc, 'data_dir = "../var/smsbox"\n')
    config = load_config(path)
    assert config.data_dir == (tmp_path / "var" / "smsbox").resolve()


def test_it_keeps_an_explicit_database_url(tmp_path):
    config = parse_config({"database": {"url": "postgresql://box@db/smsbox"}}, tmp_path)
    assert config.database_url == "postgresql://box@db/smsbox"


def test_it_reads_modems(tmp_path):
    config = parse_config(
        {"modem": [{"name": "sim1", "device": "/dev/ttyUSB0", "baudrate": 9600, "pin": "1234"}]},
        tmp_path,
    )
    (modem,) = config.modems
    assert (modem.name, modem.device, modem.baudrate, modem.pin) == (
        "sim1",
        "/dev/ttyUSB0",
        9600,
        "1234",
    )


def test_it_reads_a_modems_role_and_rate_limit_both_and_unlimited_by_default(tmp_path):
    config = parse_config(
        {
            "modem": [
                {"name": "a", "device": "/dev/x"},
                {"name": "b", "device": "/dev/y", "role": "receive"},
                {"name": "c", "device": "/dev/z", "role": "send", "rate_limit": 6},
            ]
        },
        tmp_path,
    )
    assert [(modem.role, modem.rate_limit, modem.sends) for modem in config.modems] == [
        ("both", None, True),
        ("receive", None, False),
        ("send", 6, True),
    ]


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"colour": "blue"}, "colour"),
        ({"web": {"hots": "localhost"}}, "[web].hots"),
        ({"web": {"port": "80"}}, "[web].port"),
        ({"web": {"port": True}}, "[web].port"),
        ({"web": {"port": 0}}, "[web].port"),
        ({"web": {"port": 70000}}, "[web].port"),
        ({"messaging": {"default_region": "France"}}, "[messaging].default_region"),
        ({"messaging": {"timezone": "Europe/Atlantis"}}, "[messaging].timezone"),
        ({"messaging": {"timezone": "../../etc/passwd"}}, "[messaging].timezone"),
        (
            {"modem": [{"name": "a", "device": "/dev/ttyUSB0"}, {"name": "a", "device": "/dev/x"}]},
            "[[modem]] #2.name",
        ),
        ({"modem": [{"name": "a"}]}, "[[modem]] #1.device"),
        (
            {"modem": [{"name": "a", "device": "/dev/x", "baudrate": 12345}]},
            "[[modem]] #1.baudrate",
        ),
        ({"modem": [{"name": "a", "device": "/dev/x", "driver": "hayes"}]}, "[[modem]] #1.driver"),
        ({"modem": [{"name": "a", "device": "/dev/x", "pin": "12"}]}, "[[modem]] #1.pin"),
        ({"modem": [{"name": "a", "device": "/dev/x", "pin": "12ab"}]}, "[[modem]] #1.pin"),
        ({"modem": [{"name": "a", "device": "/dev/x", "pin": 1234}]}, "[[modem]] #1.pin"),
        ({"modem": [{"name": "a", "device": "/dev/x", "speed": 1}]}, "[[modem]] #1.speed"),
        ({"modem": {"name": "a", "device": "/dev/x"}}, "[[modem]]"),
        ({"modem": [{"name": "a", "device": "/dev/x", "role": "sender"}]}, "[[modem]] #1.role"),
        (
            {"modem": [{"name": "a", "device": "/dev/x", "rate_limit": 0}]},
            "[[modem]] #1.rate_limit",
        ),
        (
            {"modem": [{"name": "a", "device": "/dev/x", "rate_limit": -5}]},
            "[[modem]] #1.rate_limit",
        ),
        (
            {"modem": [{"name": "a", "device": "/dev/x", "rate_limit": 1.5}]},
            "[[modem]] #1.rate_limit",
        ),
        ({"web": "localhost"}, "[web]"),
        ({"web": {"secure_cookies": "yes"}}, "[web].secure_cookies"),
        ({"web": {"secure_cookies": 1}}, "[web].secure_cookies"),
        ({"web": {"secret_key_file": "../../.."}}, "[web].secret_key_file"),
        ({"web": {"secret_key_file": "keys/../../outside"}}, "[web].secret_key_file"),
        ({"web": {"secret_key_file": "/etc/smsbox/secret_key"}}, "[web].secret_key_file"),
        ({"web": {"secret_key_file": ""}}, "[web].secret_key_file"),
        ({"web": {"secret_key_file": "."}}, "[web].secret_key_file"),
        ({"retention": {"messages_days": 0}}, "[retention].messages_days"),
        ({"retention": {"calls_days": -1}}, "[retention].calls_days"),
        ({"retention": {"messages_days": "365"}}, "[retention].messages_days"),
        ({"retention": {"days": 30}}, "[retention].days"),
        ({"metrics": {"port": 0}}, "[metrics].port"),
        ({"metrics": {"port": "9100"}}, "[metrics].port"),
        ({"metrics": {"port": 8080}}, "[metrics].port"),
        ({"api": {"rate_limit": 0}}, "[api].rate_limit"),
        ({"api": {"rate_limit": "600"}}, "[api].rate_limit"),
        ({"api": {"burst": 5}}, "[api].burst"),
        ({"contacts": {"allow_duplicates": "no"}}, "[contacts].allow_duplicates"),
        ({"contacts": {"max_import_mb": 0}}, "[contacts].max_import_mb"),
        ({"contacts": {"max_import_mb": "20 MB"}}, "[contacts].max_import_mb"),
        ({"contacts": {"max_size": 20}}, "[contacts].max_size"),
        ({"daemon": {"lease_seconds": 2}}, "[daemon].lease_seconds"),
        ({"daemon": {"lease_seconds": "30"}}, "[daemon].lease_seconds"),
        ({"daemon": {"host_name": 7}}, "[daemon].host_name"),
        ({"daemon": {"lease": 30}}, "[daemon].lease"),
        ({"webhooks": {"first_retry_ms": 0}}, "[webhooks].first_retry_ms"),
        ({"webhooks": {"first_retry_ms": 1.5}}, "[webhooks].first_retry_ms"),
        ({"webhooks": {"give_up_after_hours": 0}}, "[webhooks].give_up_after_hours"),
        ({"webhooks": {"concurrency": 0}}, "[webhooks].concurrency"),
        ({"webhooks": {"concurrency": 2, "per_endpoint": 3}}, "[webhooks].per_endpoint"),
        ({"webhooks": {"retries": 3}}, "[webhooks].retries"),
    ],
)
def test_it_refuses_a_wrong_setting_naming_the_key(tmp_path, document, named):
    with pytest.raises(ConfigError) as raised:
        parse_config(document, tmp_path)
    assert named in str(raised.value)


def test_it_keeps_everything_unless_a_retention_is_set(tmp_path):
    assert parse_config({}, tmp_path).retention == RetentionConfig(None, None)
    retention = parse_config({"retention": {"messages_days": 365, "calls_days": 90}}, tmp_path)
    assert retention.retention == RetentionConfig(messages_days=365, calls_days=90)


def test_it_reads_the_api_rate_limit_600_a_minute_by_default(tmp_path):
    assert parse_config({}, tmp_path).api.rate_limit == 600
    assert parse_config({"api": {"rate_limit": 30}}, tmp_path).api.rate_limit == 30


def test_it_keeps_contacts_unique_by_number_and_files_under_20_mb_by_default(tmp_path):
    assert parse_config({}, tmp_path).contacts.allow_duplicates is False
    assert parse_config({}, tmp_path).contacts.max_import_mb == 20
    chosen = parse_config(
        {"contacts": {"allow_duplicates": True, "max_import_mb": 5}}, tmp_path
    ).contacts
    assert (chosen.allow_duplicates, chosen.max_import_mb) == (True, 5)


def test_it_leases_modems_for_30_seconds_under_the_machines_host_name_by_default(tmp_path):
    assert parse_config({}, tmp_path).daemon == DaemonConfig(lease_seconds=30, host_name="")
    chosen = parse_config({"daemon": {"lease_seconds": 9, "host_name": "box-2"}}, tmp_path)
    assert chosen.daemon == DaemonConfig(lease_seconds=9, host_name="box-2")


def test_it_reads_secure_cookies_as_a_boolean_off_by_default(tmp_path):
    assert parse_config({}, tmp_path).web.secure_cookies is False
    assert parse_config({"web": {"secure_cookies": True}}, tmp_path).web.secure_cookies is True


def test_it_refuses_a_secret_key_file_that_is_a_directory(tmp_path):
    (tmp_path / "data" / "keys").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"\[web\]\.secret_key_file: .*keys is a directory"):
        parse_config({"web": {"secret_key_file": "keys"}}, tmp_path)


def test_it_keeps_the_secret_key_file_in_the_data_dir_or_below_it(tmp_path):
    config = parse_config({"web": {"secret_key_file": "keys/session"}}, tmp_path)
    assert config.secret_key_path == (tmp_path / "data" / "keys" / "session").resolve()


def test_it_says_which_file_is_missing(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in str(raised.value)


def test_it_says_which_file_is_not_valid_toml(tmp_path):
    path = write_config(tmp_path, "[web\nport = 80\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in str(raised.value)
    assert "TOML" in str(raised.value)


def test_it_uses_the_file_named_by_the_environment_when_given_no_path(tmp_path, monkeypatch):
    path = write_config(tmp_path, "[web]\nport = 9000\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_config().web.port == 9000


def test_it_asks_for_a_file_when_given_neither_path_nor_environment(monkeypatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert CONFIG_ENV in str(raised.value)


def test_it_loads_the_example_configuration_shipped_at_the_repository_root():
    config = load_config(REPO_ROOT / "config.example.toml")
    assert config.web.port >= 1


def test_it_runs_one_web_process_unless_told_more(tmp_path):
    assert parse_config({}, tmp_path).web.processes == 1
    assert parse_config({"web": {"processes": 4}}, tmp_path).web.processes == 4


@pytest.mark.parametrize("processes", [0, -1, 65])
def test_it_refuses_a_number_of_web_processes_out_of_range(tmp_path, processes):
    with pytest.raises(ConfigError, match=r"\[web\]\.processes must be between 1 and 64"):
        parse_config({"web": {"processes": processes}}, tmp_path)


def test_each_web_process_runs_waitress_s_four_threads_unless_told_otherwise(tmp_path):
    assert parse_config({}, tmp_path).web.threads == 4
    assert parse_config({"web": {"threads": 1}}, tmp_path).web.threads == 1


@pytest.mark.parametrize("threads", [0, -1, 65])
def test_it_refuses_a_number_of_web_threads_out_of_range(tmp_path, threads):
    with pytest.raises(ConfigError, match=r"\[web\]\.threads must be between 1 and 64"):
        parse_config({"web": {"threads": threads}}, tmp_path)


def test_it_refuses_a_number_of_web_processes_that_is_no_whole_number(tmp_path):
    with pytest.raises(ConfigError, match=r"\[web\]\.processes"):
        parse_config({"web": {"processes": "4"}}, tmp_path)
