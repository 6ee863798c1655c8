"""`smsbox campaign ...` through the installed command."""

from __future__ import annotations

import json

import pytest
from cli_fixtures import CONFIG
from cli_runs import smsbox

from smsbox.account_settings import QUOTAS, save
from smsbox.activity import COMMAND_LINE
from smsbox.config import load_config
from smsbox.database import open_session
from smsbox.quotas import Quotas


@pytest.fixture
def box(tmp_path):
    config = tmp_path / "smsbox.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert smsbox("init", config=config).returncode == 0
    for name, number in (("Élodie Lefèvre", "06 12 34 56 78"), ("Zoé Müller", "06 11 22 33 44")):
        assert smsbox("contacts", "add", name, number, config=config).returncode == 0
    assert smsbox("groups", "create", "Clients", config=config).returncode == 0
    added = smsbox("groups", "add", "Clients", "0612345678", "0611223344", config=config)
    assert added.returncode == 0, added.stderr
    assert smsbox("optout", "add", "0611223344", config=config).returncode == 0
    return config


def test_a_campaign_is_sent_shown_listed_and_cancelled(box):
    sent = smsbox(
        "campaign", "send", "--group", "Clients", "--number", "07 00 00 00 01",
        "--number", "06 12 34 56 78", "Bonjour {prénom} !", config=box,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout == (
        "campaign 1: 2 message(s) queued; 1 opted out skipped, 1 duplicate(s) removed\n"
    )
    shown = json.loads(smsbox("campaign", "show", "1", "--json", config=box).stdout)
    assert shown["counts"]["queued"] == 2 and shown["finished"] is False
    assert shown["groups"] == ["Clients"] and shown["transactional"] is False
    listed = json.loads(smsbox("campaign", "list", "--json", config=box).stdout)
    assert [c["id"] for c in listed["campaigns"]] == [1]

    cancelled = smsbox("campaign", "cancel", "1", config=box)
    assert cancelled.stdout == "campaign 1: 2 waiting message(s) cancelled\n"
    text = smsbox("campaign", "show", "1", config=box).stdout
    assert "(cancelled)" in text and "  cancelled: 2" in text
    logged = smsbox("activity", "--action", "campaign_cancelled", "--json", config=box).stdout
    assert [(e["actor"], e["subject"], e["details"]) for e in json.loads(logged)] == [
        ("cli", "campaign 1", {"cancelled": 2})
    ]


def test_a_campaign_over_the_account_s_cap_is_refused_and_logged(box):
    with open_session(load_config(str(box)).database_url) as session:
        save(session, QUOTAS, Quotas(account_daily=1), COMMAND_LINE)
        session.commit()
    refused = smsbox(
        "campaign", "send", "--group", "Clients", "--number", "0700000001", "Hi", config=box
    )
    assert refused.returncode == 1
    assert "would pass the account's daily cap of 1" in refused.stderr
    logged = json.loads(smsbox("activity", "--action", "send_refused", "--json", config=box).stdout)
    assert [(e["actor"], e["details"]["recipients"]) for e in logged] == [("cli", 2)]
    assert json.loads(smsbox("campaign", "list", "--json", config=box).stdout)["campaigns"] == []


def test_a_scheduled_campaign_waits_and_bad_requests_are_one_line(box):
    scheduled = smsbox(
        "campaign", "send", "--group", "Clients", "--at", "2027-06-01 09:00", "--transactional",
        "Rappel", config=box,
    )  # fmt: skip
    assert scheduled.returncode == 0, scheduled.stderr
    assert "1 message(s) scheduled" in scheduled.stdout
    shown = json.loads(smsbox("campaign", "show", "1", "--json", config=box).stdout)
    assert shown["send_at"] == "2027-06-01T07:00:00+00:00" and shown["counts"]["scheduled"] == 1

    for arguments, error in [
        (("--group", "Nobody", "Hi"), "smsbox: there is no group named “Nobody”\n"),
        (("--group", "Clients", "Hi {ville}"), "smsbox: {ville} is no placeholder these"),
        (("--group", "Clients", "--at", "2020-01-01 09:00", "Hi"), "smsbox: 2020-01-01 09:00 is"),
        (("Hi",), "smsbox: choose at least one group or number to send to\n"),
    ]:
        failed = smsbox("campaign", "send", *arguments, config=box)
        assert failed.returncode == 1 and failed.stderr.startswith(error), failed.stderr
    assert smsbox("campaign", "show", "9", config=box).stderr == (
        "smsbox: there is no campaign 9\n"
    )


def test_recurring_campaigns_are_added_listed_paused_and_removed(box):
    added = smsbox(
        "campaign", "repeat", "add", "--weekly", "mon,thu", "--time", "09:00",
        "--group", "Clients", "Réunion à 10 h", config=box,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("recurring campaign 1: first on ")
    assert added.stdout.endswith(" 09:00 (Europe/Paris)\n")
    listed = json.loads(smsbox("campaign", "repeat", "list", "--json", config=box).stdout)
    (recurrence,) = listed["recurring_campaigns"]
    assert (recurrence["frequency"], recurrence["weekdays"], recurrence["time"]) == (
        "weekly",
        [0, 3],
        "09:00",
    )
    assert smsbox("campaign", "repeat", "pause", "1", config=box).returncode == 0
    assert "paused" in smsbox("campaign", "repeat", "list", config=box).stdout
    bad = smsbox(
        "campaign", "repeat", "add", "--time", "9h", "--number", "0612345678", "x", config=box
    )
    assert bad.stderr == "smsbox: “9h” is no time of day: write it HH:MM\n"
    assert smsbox("campaign", "repeat", "remove", "1", config=box).returncode == 0
    assert smsbox("campaign", "repeat", "list", config=box).stdout == ""
