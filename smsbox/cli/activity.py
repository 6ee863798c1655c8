"""`smsbox activity [--action A] [--search TEXT] [--limit N] [--json]`: the activity
log, newest first."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from smsbox.activity_actions import Action
from smsbox.cli.output import positive, print_json
from smsbox.config import load_config


def cmd_activity(args: argparse.Namespace) -> None:
    from smsbox.activity import details_of, entries
    from smsbox.database import open_session

    config = load_config(args.config)
    action = None if args.action is None else Action(args.action)
    with open_session(config.database_url) as session:
        found = entries(session, action=action, search=args.search, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "at": entry.at.isoformat(),
                    "actor": entry.actor,
                    "action": entry.action,
                    "subject": entry.subject,
                    "details": details_of(entry),
                }
                for entry in found
            ]
        )
        return
    if not found:
        print("nothing in the activity log")
    zone = ZoneInfo(config.messaging.timezone)
    for entry in found:
        when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        details = ", ".join(f"{name}: {value}" for name, value in details_of(entry).items())
        line = f"{when}  {entry.actor:<16}  {entry.action:<16}  {entry.subject or ''}"
        print(f"{line}  {details}".rstrip())


def add_activity_command(add) -> None:
    activity = add("activity", cmd_activity, "show the activity log, newest first")
    activity.add_argument(
        "--action", choices=[action.value for action in Action], help="only this kind of entry"
    )
    activity.add_argument("--search", default="", help="in who or what (a name, a number)")
    activity.add_argument("--limit", type=positive, default=50, help="how many (default 50)")
    activity.add_argument("--json", action="store_true", help="as JSON, times in UTC")
