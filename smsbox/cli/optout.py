"""`smsbox optout list|add|remove`: the STOP list by hand (numbers that said STOP by
SMS are on it already, the daemon adds them)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from smsbox.cli.output import print_json
from smsbox.cli.sessions import refusing_session
from smsbox.config import Config, load_config

if TYPE_CHECKING:
    from smsbox.models import OptOut


def _number(config: Config, raw: str) -> str:
    from smsbox.cli import CommandFailed
    from smsbox.numbers import InvalidNumber, to_e164

    try:
        return to_e164(raw, config.messaging.default_region)
    except InvalidNumber as error:
        raise CommandFailed(str(error)) from None


def cmd_optout_list(args: argparse.Namespace) -> None:
    from smsbox.optouts import list_optouts

    config = load_config(args.config)
    with refusing_session(config) as session:
        entries = list_optouts(session)
    if args.json:
        print_json([_as_json(entry) for entry in entries])
        return
    local = ZoneInfo(config.messaging.timezone)
    for entry in entries:
        since = entry.created_at.astimezone(local)
        print(f"{entry.number}  since {since:%Y-%m-%d %H:%M}  ({_how(entry)})")


def _how(entry: OptOut) -> str:
    if entry.source_message_id:
        return f"said {entry.keyword or 'STOP'!r}, message {entry.source_message_id}"
    how = "imported" if entry.source == "import" else "by hand"
    return f"{how}: {entry.reason}" if entry.reason else how


def _as_json(entry: OptOut) -> dict[str, object]:
    return {
        "number": entry.number,
        "since": entry.created_at.isoformat(),
        "stop_message_id": entry.source_message_id,
        "source": entry.source,
        "keyword": entry.keyword,
        "reason": entry.reason,
    }


def cmd_optout_add(args: argparse.Namespace) -> None:
    from smsbox import activity
    from smsbox.activity import COMMAND_LINE, Action
    from smsbox.optouts import opt_out

    config = load_config(args.config)
    number = _number(config, args.number)
    with refusing_session(config) as session:
        opt_out(session, number, reason=args.reason)
        activity.record(session, Action.OPTOUT_ADDED, COMMAND_LINE, number, reason=args.reason)
        session.commit()
    print(f"{number} is on the opt-out list: nothing more will be sent to it")


def cmd_optout_remove(args: argparse.Namespace) -> None:
    from smsbox import activity
    from smsbox.activity import COMMAND_LINE, Action
    from smsbox.optouts import opt_in

    config = load_config(args.config)
    number = _number(config, args.number)
    with refusing_session(config) as session:
        removed = opt_in(session, number)
        if removed:
            activity.record(session, Action.OPTOUT_REMOVED, COMMAND_LINE, number)
        session.commit()
    print(f"{number} {'taken off' if removed else 'was not on'} the opt-out list")


def add_optout_commands(commands, add) -> None:
    optout = commands.add_parser("optout", help="the STOP list: numbers sent nothing more")
    optout_commands = optout.add_subparsers(dest="optout_command", required=True)
    listing = add("list", cmd_optout_list, "show the numbers on the list", optout_commands)
    listing.add_argument("--json", action="store_true", help="as JSON")
    for name, handler, help_text in (
        ("add", cmd_optout_add, "send nothing more to NUMBER"),
        ("remove", cmd_optout_remove, "send to NUMBER again (it asked to be back)"),
    ):
        command = add(name, handler, help_text, optout_commands)
        command.add_argument("number", metavar="NUMBER", help="national or international format")
        if name == "add":
            command.add_argument("--reason", help="why, kept beside the number")
