"""`smsbox status [--json] [--silent-minutes N]`: is the box serving, for a monitoring
check. Exit status 1 when the database is not usable, or a configured modem is not
ready or has not been heard from for N minutes."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any

from smsbox.cli.output import print_json
from smsbox.config import load_config


def modem_health(
    name: str, modem: Any, host: str | None, now: datetime, silent_after: timedelta
) -> dict[str, Any]:
    """One configured modem as the daemon last wrote it (`modem` is its row, or None),
    the host whose daemon holds its lease (`smsbox.leases`), and what is wrong with
    it, if anything."""
    if modem is None:
        return {
            "name": name,
            "host": host,
            "state": None,
            "last_seen_seconds": None,
            "last_error": None,
            "problem": "never seen: is the daemon running?",
        }
    seen = (now - modem.last_seen_at).total_seconds() if modem.last_seen_at else None
    problem = None
    if modem.state != "ready":
        problem = f"{modem.state}" + (f": {modem.last_error}" if modem.last_error else "")
    elif seen is None or seen > silent_after.total_seconds():
        problem = f"not heard from for {silent_after.total_seconds() / 60:g} minutes or more"
    return {
        "name": name,
        "host": host,
        "state": modem.state,
        "last_seen_seconds": round(seen, 1) if seen is not None else None,
        "last_error": modem.last_error,
        "problem": problem,
    }


def cmd_status(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from smsbox import leases
    from smsbox.cli import CommandFailed
    from smsbox.database import open_session
    from smsbox.health import database_problems
    from smsbox.models import Modem, utcnow

    config = load_config(args.config)
    silent_after = timedelta(minutes=args.silent_minutes)
    with open_session(config.database_url) as session:
        problems = database_problems(session)
        rows = {} if problems else {m.name: m for m in session.scalars(select(Modem))}
        hosts = {} if problems else leases.holders(session)
        now = utcnow()
        modems = [
            modem_health(
                m.name,
                rows.get(m.name),
                hosts[m.name].host if m.name in hosts else None,
                now,
                silent_after,
            )
            for m in config.modems
        ]
    healthy = not problems and not any(modem["problem"] for modem in modems)
    if args.json:
        print_json({"ok": healthy, "database": problems, "modems": modems})
    else:
        for check, problem in problems.items():
            print(f"{check}: {problem}")
        for modem in modems:
            seen = modem["last_seen_seconds"]
            print(
                f"{modem['name']}: {modem['problem'] or modem['state']}"
                + (f" on host {modem['host']}" if modem["host"] else "")
                + (f" (last heard {seen:.0f} s ago)" if seen is not None else "")
            )
    if not healthy:
        raise CommandFailed("something is wrong (see above)")


def add_status_command(add) -> None:
    status = add("status", cmd_status, "whether the database and every modem are serving")
    status.add_argument("--json", action="store_true", help="as JSON, for scripts")
    status.add_argument(
        "--silent-minutes",
        type=float,
        default=3.0,
        help="a modem not heard from for this long is a problem (default 3: the daemon "
        "hears from each at least every minute)",
    )
