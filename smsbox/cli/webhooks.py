"""`smsbox webhook add|list|remove|deliveries|replay`: URLs told of events, and what
was posted to them. The daemon posts them (smsbox.webhooks.sender)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from smsbox.cli.output import iso, positive, print_json
from smsbox.cli.sessions import refusing_session
from smsbox.config import load_config

if TYPE_CHECKING:
    from smsbox.models import WebhookDelivery, WebhookEndpoint


def cmd_webhook_add(args: argparse.Namespace) -> None:
    from smsbox.webhooks.endpoints import add_endpoint

    config = load_config(args.config)
    with refusing_session(config) as session:
        added = add_endpoint(
            session, args.url, args.events, created_by="cli", allow_private=args.allow_private
        )
        session.commit()
    print(added.secret)
    print(
        f"webhook {added.endpoint.id} added for {added.endpoint.events}: its signing secret "
        "is shown only now, give it to the receiver",
        file=sys.stderr,
    )


def _endpoint_record(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events.split(","),
        "enabled": endpoint.enabled,
        "allow_private": endpoint.allow_private,
        "created_by": endpoint.created_by,
        "created_at": iso(endpoint.created_at),
    }


def cmd_webhook_list(args: argparse.Namespace) -> None:
    from smsbox.webhooks.endpoints import endpoints

    config = load_config(args.config)
    with refusing_session(config) as session:
        records = [_endpoint_record(endpoint) for endpoint in endpoints(session)]
    if args.json:
        print_json(records)
        return
    if not records:
        print("no webhook")
    for record in records:
        state = "enabled" if record["enabled"] else "disabled"
        print(f"{record['id']}  {record['url']}  {','.join(record['events'])}  {state}")


def cmd_webhook_remove(args: argparse.Namespace) -> None:
    from smsbox.webhooks.endpoints import remove_endpoint

    config = load_config(args.config)
    with refusing_session(config) as session:
        removed = remove_endpoint(session, args.id)
        session.commit()
    print(f"webhook {removed.id} ({removed.url}) removed, with what it was still owed")


def _delivery_record(delivery: WebhookDelivery) -> dict[str, object]:
    return {
        "id": delivery.id,
        "webhook": delivery.endpoint_id,
        "event": delivery.event_type,
        "event_id": delivery.event_id,
        "created_at": iso(delivery.created_at),
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_answer": delivery.last_answer,
        "last_error": delivery.last_error,
        "next_attempt_at": iso(delivery.next_attempt_at),
        "delivered_at": iso(delivery.delivered_at),
        "given_up_at": iso(delivery.given_up_at),
        "payload": json.loads(delivery.payload),
    }


def _state(record: dict[str, object]) -> str:
    if record["delivered_at"]:
        return "delivered"
    if record["given_up_at"]:
        return "given up"
    return f"next attempt {record['next_attempt_at']}"


def cmd_webhook_deliveries(args: argparse.Namespace) -> None:
    from smsbox.webhooks.endpoints import deliveries

    config = load_config(args.config)
    with refusing_session(config) as session:
        records = [
            _delivery_record(delivery)
            for delivery in deliveries(session, args.webhook, limit=args.limit)
        ]
    if args.json:
        print_json(records)
        return
    if not records:
        print("no webhook delivery")
    for record in records:
        answer = record["last_error"] or (
            f"HTTP {record['last_status_code']}" if record["last_status_code"] else "not tried yet"
        )
        print(
            f"{record['id']}  webhook {record['webhook']}  {record['event']}  "
            f"{record['attempts']} attempt(s)  {answer}  {_state(record)}"
        )


def cmd_webhook_replay(args: argparse.Namespace) -> None:
    from smsbox import wakeup
    from smsbox.webhooks.endpoints import replay

    config = load_config(args.config)
    with refusing_session(config) as session:
        again = replay(session, args.delivery_id)
        session.commit()
    wakeup.notify(config)
    print(f"delivery {args.delivery_id} queued again as delivery {again.id}")


def add_webhook_commands(commands, add) -> None:
    from smsbox.webhooks.event_types import EVENT_TYPES

    webhook = commands.add_parser("webhook", help="URLs told of messages, calls and STOPs")
    webhook_commands = webhook.add_subparsers(dest="webhook_command", required=True)
    adding = add("add", cmd_webhook_add, "register a URL; prints its secret once", webhook_commands)
    adding.add_argument("url", help="http(s) URL the events are posted to")
    adding.add_argument(
        "--events", required=True, help=f"comma-separated, among {','.join(EVENT_TYPES)}"
    )
    adding.add_argument(
        "--allow-private",
        action="store_true",
        help="allow a URL on this box or link-local (refused otherwise; the LAN is allowed)",
    )
    listing = add("list", cmd_webhook_list, "show the webhooks", webhook_commands)
    listing.add_argument("--json", action="store_true", help="as JSON")
    remove = add("remove", cmd_webhook_remove, "remove a webhook", webhook_commands)
    remove.add_argument("id", type=positive)
    sent = add(
        "deliveries", cmd_webhook_deliveries, "what was posted, newest first", webhook_commands
    )
    sent.add_argument("--webhook", type=positive, metavar="ID", help="of this webhook only")
    sent.add_argument("--limit", type=positive, default=50, help="at most this many (50)")
    sent.add_argument("--json", action="store_true", help="as JSON")
    replay = add("replay", cmd_webhook_replay, "post a delivery's event again", webhook_commands)
    replay.add_argument("delivery_id", type=positive)
