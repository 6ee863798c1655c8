"""`smsbox db copy --from URL --to URL`: an installation moved to another database."""

from __future__ import annotations

import argparse


def cmd_db_copy(args: argparse.Namespace) -> None:
    from smsbox.cli import CommandFailed
    from smsbox.config_checks import check_database_url
    from smsbox.copying import CopyRefused, copy_database

    for option, url in (("--from", args.source), ("--to", args.target)):
        check_database_url(url, option)
    try:
        report = copy_database(args.source, args.target)
    except CopyRefused as error:
        raise CommandFailed(str(error)) from None
    print(f"{'table':<20} {'rows from':>10} {'rows to':>10}  {'checksum from':<16}  checksum to")
    for source, target in zip(report.source, report.target, strict=True):
        mark = "" if source == target else "  DIFFERS"
        print(
            f"{source.name:<20} {source.rows:>10} {target.rows:>10}"
            f"  {source.checksum:<16}  {target.checksum}{mark}"
        )
    if not report.identical:
        raise CommandFailed("the copy differs from its source (see the tables marked DIFFERS)")
    print("copied: every table has the same rows on both sides")


def add_database_commands(commands, add) -> None:
    database = commands.add_parser("db", help="the database as a whole")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    copy = add(
        "copy",
        cmd_db_copy,
        "copy an installation into a new database (e.g. SQLite to PostgreSQL), "
        "then compare both sides table by table",
        database_commands,
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL")
