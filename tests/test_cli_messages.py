"""The command line's messaging commands: send, resend, messages, modems, calls, the
STOP list and the activity log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_fixtures import assert_clean_failure, rows
from cli_runs import smsbox
from outbox_rows import interrupt_second_of_three

from smsbox import leases
from smsbox.account_settings import QUOTAS, save
from smsbox.activity import COMMAND_LINE
from smsbox.calls import record_call
from smsbox.config import CONFIG_ENV, load_config
from smsbox.database import make_engine, make_session_factory, open_session
from smsbox.modems import ensure_modem, record_signal, record_state, record_status
from smsbox.outbox import queue_message
from smsbox.quotas import Quotas


def test_it_queues_an_sms_in_e164_with_the_text_unchanged(initialised):
    result = smsbox("send", "06 12 34 56 78", "Bonjour é ç €", config=initialised)
    assert result.returncode == 0, result.stderr
    assert "+33612345678" in result.stdout
    assert rows(
        initialised, "SELECT number, raw_number, body, status, direction FROM messages"
    ) == [("+33612345678", "06 12 34 56 78", "Bonjour é ç €", "queued", "out")]


def test_a_message_is_transactional_unless_said_commercial(initialised):
    smsbox("send", "0612345678", "Code : 1234", config=initialised)
    smsbox("send", "0612345678", "Soldes !", "--commercial", config=initialised)
    assert rows(initialised, "SELECT body, transactional FROM messages ORDER BY id") == [
        ("Code : 1234", 1),
        ("Soldes !", 0),
    ]


def test_it_refuses_a_send_over_the_account_s_cap(initialised):
    with open_session(load_config(str(initialised)).database_url) as session:
        save(session, QUOTAS, Quotas(account_daily=0), COMMAND_LINE)
        session.commit()
    assert_clean_failure(
        smsbox("send", "0612345678", "hello", config=initialised),
        "would pass the account's daily cap of 0",
    )
    assert rows(initialised, "SELECT count(*) FROM messages") == [(0,)]
    assert rows(initialised, "SELECT actor, action, subject FROM activity ORDER BY id") == [
        ("cli", "settings_changed", "quotas"),
        ("cli", "send_refused", "+33612345678"),
    ]


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


def interrupted_message(config_file: Path) -> int:
    """A three-part message whose second part the modem took without answering."""
    config = load_config(str(config_file))
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        with session.begin():
            modem_id = ensure_modem(session, "sim", "/dev/ttyUSB0")
            message_id = queue_message(session, "0612345678", "x", default_region="FR").id
        interrupt_second_of_three(session, modem_id)
        session.commit()
    engine.dispose()
    return message_id


def test_it_resends_an_interrupted_message_after_saying_which_parts_may_have_arrived(
    initialised,
):
    message_id = interrupted_message(initialised)
    result = smsbox("resend", str(message_id), config=initialised, stdin="y\n")
    assert result.returncode == 0, result.stderr
    assert "part(s) 2 of 3" in result.stdout
    assert "may already have them" in result.stdout
    assert rows(initialised, "SELECT status FROM messages") == [("queued",)]
    assert rows(initialised, "SELECT status FROM message_parts ORDER BY part_number") == [
        ("sent",),
        ("queued",),
        ("sent",),
    ]


def test_it_resends_nothing_unless_a_person_says_yes(initialised):
    message_id = interrupted_message(initialised)
    assert_clean_failure(smsbox("resend", str(message_id), config=initialised), "not resent")
    assert rows(initialised, "SELECT status FROM messages") == [("interrupted",)]


def test_it_refuses_to_resend_a_message_that_was_not_interrupted(initialised):
    smsbox("send", "0612345678", "hello", config=initialised)
    assert_clean_failure(smsbox("resend", "1", "--yes", config=initialised), "not interrupted")
    assert_clean_failure(smsbox("resend", "99", "--yes", config=initialised), "no message 99")


def log_two_calls(config_file: Path) -> None:
    config = load_config(str(config_file))
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        modem_id = ensure_modem(session, "sim", "/dev/ttyUSB0")
        for raw, started_at, rings in [
            ("0612345678", datetime(2026, 11, 25, 10, 0, tzinfo=UTC), 3),
            (None, datetime(2026, 11, 25, 10, 5, tzinfo=UTC), 1),
        ]:
            record_call(session, modem_id, raw, started_at, rings, default_region="FR")
        session.commit()
    engine.dispose()


def test_it_lists_incoming_calls_newest_first_as_json(initialised):
    log_two_calls(initialised)
    result = smsbox("calls", "--json", config=initialised)
    assert result.returncode == 0, result.stderr
    assert [
        (call["number"], call["raw_number"], call["received_at"], call["rings"])
        for call in json.loads(result.stdout)
    ] == [
        (None, None, "2026-11-25T10:05:00+00:00", 1),
        ("+33612345678", "0612345678", "2026-11-25T10:00:00+00:00", 3),
    ]


def test_it_lists_the_latest_calls_in_the_configured_time_zone(initialised):
    log_two_calls(initialised)
    result = smsbox("calls", "--limit", "1", config=initialised)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2026-11-25", "11:05:00", "withheld", "1", "ring(s)"]
    assert smsbox("calls", "--limit", "0", config=initialised).returncode == 2


def test_it_lists_messages_newest_first_with_filters_and_as_json(initialised):
    for number, text in (("0611111111", "premier"), ("0622222222", "second é")):
        assert smsbox("send", number, text, config=initialised).returncode == 0

    table = smsbox("messages", config=initialised)
    assert table.returncode == 0, table.stderr
    assert table.stdout.index("second é") < table.stdout.index("premier")

    found = smsbox(
        "messages", "--number", "06 11 11 11 11", "--status", "queued", "--json", config=initialised
    )
    (record,) = json.loads(found.stdout)
    assert (record["number"], record["body"], record["status"]) == (
        "+33611111111",
        "premier",
        "queued",
    )
    assert record["direction"] == "out"
    assert record["parts"] == []
    assert (
        json.loads(smsbox("messages", "--direction", "in", "--json", config=initialised).stdout)
        == []
    )


def test_it_refuses_a_listing_filter_it_does_not_know(initialised):
    assert_clean_failure(smsbox("messages", "--status", "lost", config=initialised), "--status")
    assert_clean_failure(smsbox("messages", "--number", "garbage", config=initialised), "garbage")


def test_it_lists_the_modems_as_the_daemon_left_them(initialised):
    config = load_config(str(initialised))
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        modem_id = ensure_modem(session, "sim", "/dev/ttyUSB0", role="send", rate_limit=6)
        record_state(session, modem_id, "ready")
        record_signal(session, modem_id, 21)
        ensure_modem(session, "listener", "/dev/ttyUSB1", role="receive")
        leases.take(session, "sim", leases.Owner("box-2", "box-2:77:beef"), seconds=600)
        session.commit()
    engine.dispose()

    listener, sim = json.loads(smsbox("modems", "--json", config=initialised).stdout)
    assert (sim["name"], sim["state"], sim["signal_quality"]) == ("sim", "ready", 21)
    assert (sim["host"], listener["host"]) == ("box-2", None)
    assert sim["operator"] is sim["status_checked_at"] is None
    assert (sim["role"], sim["rate_limit"]) == ("send", 6)
    assert (listener["role"], listener["rate_limit"]) == ("receive", None)
    table = smsbox("modems", config=initialised).stdout
    assert "sim  ready  send  6/min  21  -  -  -" in table
    assert "listener  unknown  receive  -" in table
    assert any(line.startswith("sim  ") and line.endswith("  box-2") for line in table.splitlines())


def test_it_lists_what_the_modem_said_of_itself(initialised):
    config = load_config(str(initialised))
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        modem_id = ensure_modem(session, "sim", "/dev/ttyUSB0")
        record_state(session, modem_id, "ready")
        record_status(
            session,
            modem_id,
            signal=18,
            registration="home",
            operator="Orange F",
            storage_used=3,
            storage_total=30,
            imei="867856030000001",
            imsi="208150000000001",
            iccid="8933150319000000001",
            own_number=None,
        )
        session.commit()
    engine.dispose()

    (record,) = json.loads(smsbox("modems", "--json", config=initialised).stdout)
    assert {key: record[key] for key in ("signal_quality", "registration", "operator")} == {
        "signal_quality": 18,
        "registration": "home",
        "operator": "Orange F",
    }
    assert (record["storage_used"], record["storage_total"]) == (3, 30)
    assert (record["imei"], record["imsi"], record["iccid"], record["own_number"]) == (
        "867856030000001",
        "208150000000001",
        "8933150319000000001",
        None,
    )
    assert record["status_checked_at"] == record["last_seen_at"]
    table = smsbox("modems", config=initialised).stdout
    assert "sim  ready  both  -  18  home  Orange F  3/30" in table


MODEMS = """
[[modem]]
name = "front"
device = "/dev/ttyUSB0"

[[modem]]
name = "listener"
device = "/dev/ttyUSB1"
role = "receive"
"""


@pytest.fixture
def with_modems(config_file) -> Path:
    config_file.write_text(config_file.read_text(encoding="utf-8") + MODEMS, encoding="utf-8")
    result = smsbox("init", config=config_file)
    assert result.returncode == 0, result.stderr
    return config_file


def test_it_queues_a_message_for_the_modem_asked_for_and_says_it_waits_for_it(with_modems):
    result = smsbox("send", "--modem", "front", "0612345678", "hello", config=with_modems)
    assert result.returncode == 0, result.stderr
    assert "only modem front sends it" in result.stdout
    (record,) = json.loads(smsbox("messages", "--json", config=with_modems).stdout)
    assert (record["requested_modem"], record["modem"]) == ("front", None)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("back", "'back' is no [[modem]]"), ("listener", "'listener' only receives")],
)
def test_it_refuses_a_modem_that_does_not_send_naming_those_that_do(with_modems, name, reason):
    result = smsbox("send", "--modem", name, "0612345678", "hello", config=with_modems)
    assert_clean_failure(result, reason)
    assert "modems that send: front" in result.stderr
    assert rows(with_modems, "SELECT count(*) FROM messages") == [(0,)]


# -- the STOP list by hand ------------------------------------------------------------


def test_it_adds_lists_and_removes_a_number_on_the_stop_list(initialised):
    added = smsbox(
        "optout", "add", "06 98 76 54 32", "--reason", "asked by phone", config=initialised
    )
    assert added.returncode == 0, added.stderr
    assert "+33698765432" in added.stdout
    assert smsbox("optout", "add", "+33698765432", config=initialised).returncode == 0
    assert rows(initialised, "SELECT number, source_message_id FROM opt_outs") == [
        ("+33698765432", None)
    ]

    listed = smsbox("optout", "list", "--json", config=initialised)
    assert listed.returncode == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)
    assert entry | {"since": None} == {
        "number": "+33698765432",
        "since": None,
        "stop_message_id": None,
        "source": "manual",
        "keyword": None,
        "reason": "asked by phone",
    }
    assert "(by hand: asked by phone)" in smsbox("optout", "list", config=initialised).stdout

    removed = smsbox("optout", "remove", "0698765432", config=initialised)
    assert removed.returncode == 0, removed.stderr
    assert "taken off" in removed.stdout
    assert "was not on" in smsbox("optout", "remove", "0698765432", config=initialised).stdout
    assert json.loads(smsbox("optout", "list", "--json", config=initialised).stdout) == []


def test_the_cli_logs_what_it_does_and_shows_the_log(initialised):
    smsbox("optout", "add", "0698765432", "--reason", "by phone", config=initialised)
    smsbox("send", "0612345678", "bonjour", config=initialised)

    shown = smsbox("activity", "--json", config=initialised)
    assert shown.returncode == 0, shown.stderr
    assert [
        (entry["actor"], entry["action"], entry["subject"], entry["details"])
        for entry in json.loads(shown.stdout)
    ] == [
        ("cli", "messages_queued", "+33612345678", {"recipients": 1}),
        ("cli", "optout_added", "+33698765432", {"reason": "by phone"}),
    ]
    text = smsbox("activity", "--action", "optout_added", config=initialised).stdout
    assert "optout_added" in text and "by phone" in text and "messages_queued" not in text


@pytest.mark.parametrize("command", ["add", "remove"])
def test_it_refuses_to_put_something_that_is_not_a_number_on_the_stop_list(initialised, command):
    assert_clean_failure(smsbox("optout", command, "12ab", config=initialised), "12ab")
    assert rows(initialised, "SELECT count(*) FROM opt_outs") == [(0,)]
