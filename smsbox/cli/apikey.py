"""`smsbox apikey create|list|revoke`: keys for the HTTP API (/api/v1)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from smsbox.cli.output import iso, print_json
from smsbox.cli.sessions import refusing_session
from smsbox.config import load_config

if TYPE_CHECKING:
    from smsbox.models import ApiKey

SCOPES = ("read", "send", "admin")  # smsbox.apikeys.SCOPES, without loading SQLAlchemy


def _expiry(text: str, timezone: str) -> datetime:
    """A day (the key stops working as it starts, in the box's time zone) or a time
    with its offset."""
    from smsbox.cli import CommandFailed

    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=ZoneInfo(timezone))
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CommandFailed(
            f"--expires {text!r}: give a day (2027-01-31) or a time with its offset "
            "(2027-01-31T18:00:00+01:00)"
        )
    return moment


def cmd_apikey_create(args: argparse.Namespace) -> None:
    from smsbox.apikeys import create_key

    config = load_config(args.config)
    expires = _expiry(args.expires, config.messaging.timezone) if args.expires else None
    with refusing_session(config) as session:
        key, token = create_key(
            session, args.name, scope=args.scope, expires_at=expires, user_name=args.user
        )
        session.commit()
    print(token)
    until = f", until {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else ""
    print(
        f"key {key.name!r} created, scope {key.scope}{until}: it is shown only now, "
        "keep it (as Authorization: Bearer ...)",
        file=sys.stderr,
    )


def cmd_apikey_list(args: argparse.Namespace) -> None:
    from smsbox.apikeys import list_keys

    config = load_config(args.config)
    with refusing_session(config) as session:
        records = [_record(key) for key in list_keys(session)]
    if args.json:
        print_json(records)
        return
    if not records:
        print("no API key")
    for record in records:
        state = "revoked" if record["revoked_at"] else "active"
        print(
            f"{record['name']}  {record['scope']}  smsbox_{record['key_id']}_…  {state}  "
            f"expires {record['expires_at'] or 'never'}  "
            f"last used {record['last_used_at'] or 'never'}"
        )


def _record(key: ApiKey) -> dict[str, object]:
    return {
        "name": key.name,
        "key_id": key.key_id,
        "scope": key.scope,
        "user": key.user.name if key.user else None,
        "created_at": iso(key.created_at),
        "expires_at": iso(key.expires_at),
        "revoked_at": iso(key.revoked_at),
        "last_used_at": iso(key.last_used_at),
    }


def cmd_apikey_revoke(args: argparse.Namespace) -> None:
    from smsbox.apikeys import revoke_key

    config = load_config(args.config)
    with refusing_session(config) as session:
        revoke_key(session, args.name)
        session.commit()
    print(f"key {args.name!r} revoked: it opens nothing any more")


def add_apikey_commands(commands, add) -> None:
    apikey = commands.add_parser("apikey", help="keys for the HTTP API")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = add("create", cmd_apikey_create, "create a key; prints it once", apikey_commands)
    create.add_argument("name", help="what or who uses it, unique")
    create.add_argument(
        "--scope", choices=SCOPES, default="send", help="read < send < admin (default send)"
    )
    create.add_argument(
        "--expires", metavar="DATE", help="it stops working then (2027-01-31, the box's zone)"
    )
    create.add_argument("--user", metavar="NAME", help="the staff account the key acts for")
    listing = add("list", cmd_apikey_list, "show the keys (never their secret)", apikey_commands)
    listing.add_argument("--json", action="store_true", help="as JSON")
    revoke = add("revoke", cmd_apikey_revoke, "stop a key working, for good", apikey_commands)
    revoke.add_argument("name")
