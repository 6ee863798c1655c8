"""`smsbox calls [--limit N] [--json]`: the latest incoming calls, newest first."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from smsbox.cli.output import positive, print_json
from smsbox.config import load_config


def cmd_calls(args: argparse.Namespace) -> None:
    from smsbox.calls import list_calls
    from smsbox.database import open_session

    config = load_config(args.config)
    with open_session(config.database_url) as session:
        calls = list_calls(session, args.limit)
    if args.json:
        rows = [
            {
                "number": call.number,
                "raw_number": call.raw_number,
                "received_at": call.received_at.isoformat(),
                "rings": call.rings,
                "modem_id": call.modem_id,
            }
            for call in calls
        ]
        print_json(rows)
        return
    if not calls:
        print("no incoming call logged")
    zone = ZoneInfo(config.messaging.timezone)
    for call in calls:
        when = call.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {call.number or 'withheld':<16}  {call.rings} ring(s)")


def add_calls_command(add) -> None:
    calls = add("calls", cmd_calls, "list the latest incoming calls, newest first")
    calls.add_argument("--limit", type=positive, default=50, help="how many (default 50)")
    calls.add_argument("--json", action="store_true", help="as JSON, times in UTC")
