"""`smsbox doctor [--json] [--user NAME]`: why the box does not work, one line a check.

Exit status 0 when nothing failed (warnings pass), 1 otherwise. Running as root, every
file looks writable: `--user smsbox` checks for the user the services run as.
"""

from __future__ import annotations

import argparse

from smsbox.cli.output import print_json
from smsbox.config import ConfigError, load_config
from smsbox.doctor.verdicts import Verdict, fail, ok


def diagnose(args: argparse.Namespace) -> list[Verdict]:
    from smsbox.doctor.access import UnknownUser, account

    try:
        config = load_config(args.config)
    except ConfigError as error:
        return [fail("configuration", str(error), "correct the file (config.example.toml)")]
    try:
        user = account(args.user)
    except UnknownUser as error:
        return [fail("user", str(error), "name the user the services run as (smsbox)")]
    from modem.probe import probe
    from smsbox.doctor.devices import check_device
    from smsbox.doctor.system import check_data_dir, check_database, check_web_port

    verdicts = [ok("configuration", "valid"), check_data_dir(config, user)]
    verdicts += check_database(config)
    for modem in config.modems:
        device_verdicts, holders = check_device(modem, user)
        verdicts += device_verdicts
        if not holders and not any(verdict.failed for verdict in device_verdicts):
            verdicts += probe(modem)
    verdicts.append(check_web_port(config))
    return verdicts


def cmd_doctor(args: argparse.Namespace) -> None:
    from smsbox.cli import CommandFailed

    verdicts = diagnose(args)
    failed = sum(verdict.failed for verdict in verdicts)
    if args.json:
        print_json([verdict.record() for verdict in verdicts])
    else:
        for verdict in verdicts:
            print(verdict.line())
    if failed:
        raise CommandFailed(f"{failed} check(s) failed")
    if not args.json:
        print("all checks passed")


def add_doctor_command(add) -> None:
    doctor = add("doctor", cmd_doctor, "check the configuration, database, modems and web port")
    doctor.add_argument("--json", action="store_true", help="the verdicts as JSON")
    doctor.add_argument(
        "--user",
        metavar="NAME",
        help="check files and devices for this user, the one the services run as "
        "(default: the current user)",
    )
