"""`smsbox messages` and `smsbox modems`: what the box holds, for sysadmins and
scripts (`--json` gives every field; the table is for people)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from smsbox.cli.output import iso, positive, print_json
from smsbox.config import load_config

if TYPE_CHECKING:  # the models load SQLAlchemy: only the commands that run import them
    from sqlalchemy import Row

    from smsbox.models import Message

BODY_SHOWN = 40


def message_record(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "direction": message.direction,
        "number": message.number,
        "raw_number": message.raw_number,
        "status": message.status,
        "error": message.error,
        "body": message.body,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
        "delivered_at": iso(message.delivered_at),
        "modem": message.modem.name if message.modem else None,
        "requested_modem": message.requested_modem.name if message.requested_modem else None,
        "parts": [
            {
                "number": part.part_number,
                "status": part.status,
                "reference": part.reference,
                "attempts": part.attempts,
                "error": part.error,
                "sent_at": iso(part.sent_at),
                "delivered_at": iso(part.delivered_at),
            }
            for part in message.parts
        ],
    }


def modem_record(modem: Row[Any], host: str | None) -> dict[str, Any]:
    """The modem's row, and the host whose daemon holds its lease (None: no daemon
    serves it now)."""
    return {
        "name": modem.name,
        "host": host,
        "device": modem.device,
        "state": modem.state,
        "role": modem.role,
        "rate_limit": modem.rate_limit,
        "signal_quality": modem.signal_quality,
        "registration": modem.registration,
        "operator": modem.operator,
        "storage_used": modem.storage_used,
        "storage_total": modem.storage_total,
        "imei": modem.imei,
        "imsi": modem.imsi,
        "iccid": modem.iccid,
        "own_number": modem.own_number,
        "status_checked_at": iso(modem.status_checked_at),
        "last_error": modem.last_error,
        "last_seen_at": iso(modem.last_seen_at),
    }


def _print(records: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        print_json(records)
        return
    for record in records:
        print(
            "  ".join(
                str(record[column] if record[column] is not None else "-") for column in columns
            )
        )


def cmd_messages(args: argparse.Namespace) -> None:
    from smsbox.cli import CommandFailed
    from smsbox.database import open_session
    from smsbox.history import find_messages
    from smsbox.models import Direction, Status
    from smsbox.numbers import InvalidNumber, to_e164

    config = load_config(args.config)
    try:
        number = to_e164(args.number, config.messaging.default_region) if args.number else None
        direction = Direction(args.direction) if args.direction else None
        status = Status(args.status) if args.status else None
    except InvalidNumber as error:
        raise CommandFailed(str(error)) from None
    except ValueError:
        raise CommandFailed(
            f"--direction is one of {', '.join(Direction)}; --status one of {', '.join(Status)}"
        ) from None
    with open_session(config.database_url) as session:
        found = find_messages(
            session, direction=direction, status=status, number=number, limit=args.limit
        )
        records = [message_record(message) for message in found]
    for record in records:
        record["text"] = record["body"][:BODY_SHOWN].replace("\n", " ")
    _print(records, args.json, ["id", "created_at", "direction", "number", "status", "text"])


def cmd_modems(args: argparse.Namespace) -> None:
    from smsbox import leases
    from smsbox.database import open_session
    from smsbox.modems import list_modems

    config = load_config(args.config)
    with open_session(config.database_url) as session:
        hosts = {name: holder.host for name, holder in leases.holders(session).items()}
        records = [modem_record(modem, hosts.get(modem.name)) for modem in list_modems(session)]
    for record in records:
        used, total = record["storage_used"], record["storage_total"]
        record["storage"] = f"{used}/{total}" if used is not None and total is not None else None
        record["per_minute"] = f"{record['rate_limit']}/min" if record["rate_limit"] else None
    _print(
        records,
        args.json,
        [
            "name",
            "state",
            "role",
            "per_minute",
            "signal_quality",
            "registration",
            "operator",
            "storage",
            "last_seen_at",
            "last_error",
            "host",
        ],
    )


def add_listing_commands(add) -> None:
    messages = add("messages", cmd_messages, "list messages, newest first")
    messages.add_argument("--direction", help="in or out")
    messages.add_argument("--status", help="queued, sent, delivered, failed, interrupted, ...")
    messages.add_argument("--number", help="only this number (national or international form)")
    messages.add_argument("--limit", type=positive, default=50, help="at most N (default 50)")
    messages.add_argument("--json", action="store_true", help="every field, as JSON")
    modems = add("modems", cmd_modems, "the modems' state as the daemon last saw it")
    modems.add_argument("--json", action="store_true", help="every field, as JSON")
