"""`smsbox backup FILE` while everything runs, `smsbox restore FILE` once it is stopped."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from smsbox.cli.output import confirmed
from smsbox.config import load_config


def cmd_backup(args: argparse.Namespace) -> None:
    from smsbox.backup import BackupError, backup
    from smsbox.cli import CommandFailed

    config = load_config(args.config)
    started = time.monotonic()
    try:
        backup(config, Path(args.file))
    except BackupError as error:
        raise CommandFailed(str(error)) from None
    print(f"backed up to {args.file} in {time.monotonic() - started:.1f} s")


def cmd_restore(args: argparse.Namespace) -> None:
    from smsbox.backup import BackupError, restore
    from smsbox.cli import CommandFailed

    config = load_config(args.config)
    question = f"Replace the database ({config.database_url.split('@')[-1]}) with {args.file}?"
    if not args.yes and not confirmed(question):
        raise CommandFailed("nothing restored (answer y, or give --yes)")
    try:
        revision = restore(config, Path(args.file))
    except BackupError as error:
        raise CommandFailed(f"not restored: {error}") from None
    print(f"restored {args.file} (schema {revision}, now migrated to this version)")


def add_backup_commands(add) -> None:
    backup = add("backup", cmd_backup, "copy the database to FILE, while the services run")
    backup.add_argument("file", metavar="FILE")
    restore = add("restore", cmd_restore, "replace the database with a backup (services stopped)")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
