"""`smsbox webhook`: add (the secret printed once), list, deliveries, replay, remove."""

from __future__ import annotations

import json

import pytest
from databases import database_toml
from sqlalchemy import select

from smsbox.cli import main
from smsbox.models import Direction, Message, Status, WebhookDelivery


@pytest.fixture
def config_file(config, sessions):
    path = config.data_dir.parent / "smsbox.toml"
    path.write_text(f'data_dir = "{config.data_dir}"\n' + database_toml(config.data_dir))
    return str(path)


def run(config_file, *args: str) -> int:
    return main(["--config", config_file, "webhook", *args])


def test_the_cli_adds_lists_replays_and_removes_webhooks(config_file, sessions, capsys):
    assert run(config_file, "add", "http://192.168.1.20/sms", "--events", "message.received") == 0
    printed = capsys.readouterr()
    secret = printed.out.strip()
    assert secret.startswith("whsec_") and "shown only now" in printed.err

    assert run(config_file, "list", "--json") == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["url"], listed["events"], listed["enabled"]) == (
        "http://192.168.1.20/sms",
        ["message.received"],
        True,
    )
    assert secret not in json.dumps(listed)

    with sessions() as session:
        session.add(
            Message(
                direction=Direction.INBOUND,
                number="+33612345678",
                raw_number="0612345678",
                body="Bonjour",
                status=Status.RECEIVED,
            )
        )
        session.commit()
    assert run(config_file, "deliveries", "--json") == 0
    (delivery,) = json.loads(capsys.readouterr().out)
    assert delivery["event"] == "message.received" and delivery["attempts"] == 0
    assert delivery["payload"]["data"]["body"] == "Bonjour"

    assert run(config_file, "replay", str(delivery["id"])) == 0
    assert "queued again" in capsys.readouterr().out
    with sessions() as session:
        rows = session.scalars(select(WebhookDelivery)).all()
        assert len(rows) == 2 and len({row.event_id for row in rows}) == 1

    assert run(config_file, "remove", str(listed["id"])) == 0
    assert run(config_file, "list") == 0
    assert "no webhook" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "ftp://192.168.1.20/", "--events", "message.received"], "not an http"),
        (["add", "http://127.0.0.1:9/", "--events", "message.received"], "loopback"),
        (["add", "http://192.168.1.20/", "--events", "sms.received"], "is no event"),
        (["remove", "42"], "no webhook 42"),
        (["replay", "42"], "no webhook delivery 42"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line(config_file, sessions, capsys, args, said):
    assert run(config_file, *args) == 1
    assert said in capsys.readouterr().err


def test_an_admin_may_allow_a_url_on_the_box(config_file, sessions, capsys):
    assert (
        run(
            config_file,
            "add",
            "http://127.0.0.1:9/",
            "--events",
            "call.received",
            "--allow-private",
        )
        == 0
    )
    assert run(config_file, "list") == 0
    assert "http://127.0.0.1:9/" in capsys.readouterr().out
