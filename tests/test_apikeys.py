"""API keys: made random, kept hashed, checked in constant time; `smsbox apikey`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from databases import database_toml
from sqlalchemy import select

from smsbox import apikeys
from smsbox.apikeys import ApiKeyError, authenticate, create_key, list_keys, revoke_key
from smsbox.cli import main
from smsbox.cli.apikey import SCOPES as CLI_SCOPES
from smsbox.models import ApiKey
from smsbox.users import create_user


def test_it_makes_a_recognisable_random_key_and_keeps_only_its_secrets_hash(sessions):
    with sessions() as session:
        first, token = create_key(session, "crm")
        _, other = create_key(session, "backup")
        session.commit()

    prefix, key_id, secret = token.split("_", 2)
    assert (prefix, key_id) == ("smsbox", first.key_id)
    assert len(secret) == 43  # 256 bits
    assert token != other and other.split("_")[1] != key_id
    with sessions() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.name == "crm"))
        stored = [str(value) for value in row.__dict__.values()]
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in value for value in stored)


def test_it_knows_a_key_by_its_whole_text_only(sessions):
    with sessions() as session:
        key, token = create_key(session, "crm", scope="read")
        session.commit()
        caller = authenticate(session, token)
        assert caller == apikeys.Caller(key.id, "crm", "read", None)
        prefix, key_id, secret = token.split("_", 2)
        flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for wrong in (
            f"{prefix}_{key_id}_{flipped}",
            f"{prefix}_{'0' * 12}_{secret}",
            f"other_{key_id}_{secret}",
            token + "x",
            token[:-1],
            " " + token,
            "",
        ):
            assert authenticate(session, wrong) is None, wrong


def test_it_refuses_a_revoked_or_expired_key(sessions):
    with sessions() as session:
        expiring, soon = create_key(
            session, "soon", expires_at=datetime.now(UTC) + timedelta(hours=1)
        )
        _, revoked = create_key(session, "revoked")
        session.commit()
        revoke_key(session, "revoked")
        session.commit()

        assert authenticate(session, revoked) is None
        assert authenticate(session, soon) is not None
        later = expiring.expires_at + timedelta(seconds=1)
        assert authenticate(session, soon, now=later) is None


def test_a_key_stops_working_while_its_user_is_disabled(sessions):
    with sessions() as session:
        user = create_user(session, "bob", "correct horse battery")
        _, token = create_key(session, "bob's script", user_name="bob")
        session.commit()
        assert authenticate(session, token) is not None
        user.disabled = True
        session.commit()
        assert authenticate(session, token) is None


def test_it_writes_the_last_use_at_most_once_a_minute(sessions):
    start = datetime(2026, 11, 25, 12, tzinfo=UTC)
    with sessions() as session:
        _, token = create_key(session, "crm")
        session.commit()
        for seconds in (0, 30, 59):
            authenticate(session, token, now=start + timedelta(seconds=seconds))
        assert list_keys(session)[0].last_used_at == start
        authenticate(session, token, now=start + timedelta(seconds=61))
        session.expire_all()
        assert list_keys(session)[0].last_used_at == start + timedelta(seconds=61)


def test_scopes_allow_what_the_ones_below_them_do():
    def caller(scope):
        return apikeys.Caller(1, "k", scope, None)

    assert caller("read").may("read") and not caller("read").may("send")
    assert caller("send").may("read") and not caller("send").may("admin")
    assert caller("admin").may("send") and caller("admin").may("admin")
    assert CLI_SCOPES == apikeys.SCOPES


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"scope": "root"}, "no scope"),
        ({"user_name": "nobody"}, "no user"),
        ({"expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, "passed"),
    ],
)
def test_it_refuses_a_key_it_could_not_honour(sessions, options, reason):
    with sessions() as session, pytest.raises(ApiKeyError, match=reason):
        create_key(session, "crm", **options)


def test_it_refuses_two_keys_of_one_name(sessions):
    with sessions() as session:
        create_key(session, "crm")
        with pytest.raises(ApiKeyError, match="exists"):
            create_key(session, "crm")


@pytest.fixture
def config_file(config, sessions):
    path = config.data_dir.parent / "smsbox.toml"
    path.write_text(f'data_dir = "{config.data_dir}"\n' + database_toml(config.data_dir))
    return str(path)


def test_the_cli_creates_lists_and_revokes_keys(config_file, sessions, capsys):
    with sessions() as session:
        create_user(session, "alice", "correct horse battery")
        session.commit()
    assert (
        main(
            [
                "--config",
                config_file,
                "apikey",
                "create",
                "crm",
                "--scope",
                "read",
                "--expires",
                "2099-01-31",
                "--user",
                "alice",
            ]
        )
        == 0
    )
    printed = capsys.readouterr()
    token = printed.out.strip()
    assert "shown only now" in printed.err
    with sessions() as session:
        caller = authenticate(session, token)
        assert (caller.name, caller.scope) == ("crm", "read")
        (key,) = list_keys(session)
        assert key.expires_at == datetime(2099, 1, 30, 23, tzinfo=UTC)  # midnight in Paris

    assert main(["--config", config_file, "apikey", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["name"], listed["user"], listed["revoked_at"]) == ("crm", "alice", None)
    assert token.split("_", 2)[2] not in json.dumps(listed)

    assert main(["--config", config_file, "apikey", "revoke", "crm"]) == 0
    with sessions() as session:
        assert authenticate(session, token) is None
    assert main(["--config", config_file, "apikey", "revoke", "nothing"]) == 1
    assert main(["--config", config_file, "apikey", "create", "x", "--expires", "soon"]) == 1
