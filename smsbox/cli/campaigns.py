"""`smsbox campaign ...`: group sends, their progress, cancelling, and recurring
campaigns, from a shell (smsbox.campaigns does the work)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from smsbox.cli.output import print_json
from smsbox.cli.sessions import refusing_session
from smsbox.config import load_config

if TYPE_CHECKING:  # the models load SQLAlchemy: only the commands that run import them
    from smsbox.campaigns.store import Progress
    from smsbox.models import Campaign, RecurringCampaign


def _groups(session, names: list[str]):  # type: ignore[no-untyped-def]
    from smsbox.contacts.groups import get_group

    return [get_group(session, name) for name in names]


def _summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "text": campaign.template,
        "created_at": campaign.created_at.isoformat(),
        "send_at": campaign.send_at.isoformat() if campaign.send_at else None,
        "state": campaign.state,
        "transactional": campaign.transactional,
        "groups": campaign.groups,
        "numbers": campaign.numbers,
        "recipients": campaign.recipients,
        "opted_out": campaign.opted_out,
        "duplicates": campaign.duplicates,
        "recurrence_id": campaign.recurrence_id,
    }


def cmd_campaign_send(args: argparse.Namespace) -> None:
    from smsbox.account_details import account_zone
    from smsbox.activity import COMMAND_LINE
    from smsbox.campaigns.local_times import send_time
    from smsbox.campaigns.store import CampaignRequest, send_campaign
    from smsbox.quotas import refusal_logged
    from smsbox.wakeup import notify

    config = load_config(args.config)
    with refusing_session(config) as session:
        zone = account_zone(session, config.messaging.timezone)
        request = CampaignRequest(
            args.text,
            groups=_groups(session, args.group),
            numbers=args.number,
            send_at=send_time(args.at, zone) if args.at else None,
            transactional=args.transactional,
            name=args.name,
        )
        with refusal_logged(session, COMMAND_LINE, request.name or None):
            campaign = send_campaign(
                session,
                request,
                COMMAND_LINE,
                default_region=config.messaging.default_region,
                zone=zone,
            )
        session.commit()
        print(
            f"campaign {campaign.id}: {campaign.recipients} message(s) "
            f"{'scheduled' if campaign.send_at else 'queued'}; "
            f"{campaign.opted_out} opted out skipped, {campaign.duplicates} duplicate(s) removed"
        )
    notify(config)


def cmd_campaign_list(args: argparse.Namespace) -> None:
    from smsbox.campaigns.store import list_campaigns

    config = load_config(args.config)
    with refusing_session(config) as session:
        records = [_summary(campaign) for campaign in list_campaigns(session, limit=args.limit)]
    if args.json:
        print_json({"campaigns": records})
        return
    for record in records:
        print(
            f"{record['id']}  {record['created_at'][:16]}  {record['state']:<9}  "
            f"{record['recipients']:>7} recipient(s)  {record['name']}"
        )


def _progress_record(shown: Progress) -> dict[str, Any]:
    return {**_summary(shown.campaign), "counts": shown.counts, "finished": shown.finished}


def cmd_campaign_show(args: argparse.Namespace) -> None:
    from smsbox.campaigns.store import progress

    config = load_config(args.config)
    with refusing_session(config) as session:
        record = _progress_record(progress(session, args.id))
    if args.json:
        print_json(record)
        return
    print(f"campaign {record['id']}: {record['name']} ({record['state']})")
    print(f"  to: {', '.join(record['groups'] + record['numbers'])}")
    print(
        f"  {record['recipients']} recipient(s), {record['opted_out']} opted out skipped, "
        f"{record['duplicates']} duplicate(s) removed"
    )
    for status, count in record["counts"].items():
        if count:
            print(f"  {status}: {count}")


def cmd_campaign_cancel(args: argparse.Namespace) -> None:
    from smsbox.activity import COMMAND_LINE
    from smsbox.campaigns.store import cancel_campaign

    config = load_config(args.config)
    with refusing_session(config) as session:
        cancelled = cancel_campaign(session, args.id, COMMAND_LINE)
        session.commit()
    print(f"campaign {args.id}: {cancelled} waiting message(s) cancelled")


def _rule(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from datetime import date

    from smsbox.campaigns.recurring import (
        Frequency,
        Rule,
        parse_time_of_day,
        parse_weekdays,
    )
    from smsbox.campaigns.store import CampaignRefused

    try:
        ends_on = date.fromisoformat(args.until) if args.until else None
    except ValueError:
        raise CampaignRefused(
            "“%(value)s” is no date: write it YYYY-MM-DD", value=args.until
        ) from None
    if args.weekly:
        frequency, weekdays, month_day = Frequency.WEEKLY, parse_weekdays(args.weekly), None
    elif args.monthly:
        frequency, weekdays, month_day = Frequency.MONTHLY, (), args.monthly
    else:
        frequency, weekdays, month_day = Frequency.DAILY, (), None
    return Rule(frequency, parse_time_of_day(args.time), weekdays, month_day, ends_on)


def _recurrence_record(recurrence: RecurringCampaign) -> dict[str, Any]:
    return {
        "id": recurrence.id,
        "name": recurrence.name,
        "text": recurrence.template,
        "frequency": recurrence.frequency,
        "weekdays": recurrence.weekdays,
        "month_day": recurrence.month_day,
        "time": recurrence.time_of_day,
        "until": recurrence.ends_on.isoformat() if recurrence.ends_on else None,
        "paused": recurrence.paused,
        "next_at": recurrence.next_at.isoformat() if recurrence.next_at else None,
        "group_ids": recurrence.group_ids,
        "numbers": recurrence.numbers,
    }


def cmd_repeat_add(args: argparse.Namespace) -> None:
    from smsbox.account_details import account_zone
    from smsbox.campaigns.recurring import add_recurrence

    config = load_config(args.config)
    with refusing_session(config) as session:
        zone = account_zone(session, config.messaging.timezone)
        recurrence = add_recurrence(
            session,
            text=args.text,
            rule=_rule(args),
            groups=_groups(session, args.group),
            numbers=args.number,
            zone=zone,
            default_region=config.messaging.default_region,
            transactional=args.transactional,
            name=args.name,
        )
        session.commit()
        first = recurrence.next_at.astimezone(zone)
    print(f"recurring campaign {recurrence.id}: first on {first:%Y-%m-%d %H:%M} ({zone.key})")


def cmd_repeat_list(args: argparse.Namespace) -> None:
    from smsbox.campaigns.recurring import list_recurrences

    config = load_config(args.config)
    with refusing_session(config) as session:
        records = [_recurrence_record(recurrence) for recurrence in list_recurrences(session)]
    if args.json:
        print_json({"recurring_campaigns": records})
        return
    for record in records:
        state = "paused" if record["paused"] else f"next {record['next_at'] or 'never'}"
        print(f"{record['id']}  {record['frequency']} {record['time']}  {state}  {record['name']}")


def cmd_repeat_remove(args: argparse.Namespace) -> None:
    from smsbox.campaigns.recurring import remove_recurrence

    config = load_config(args.config)
    with refusing_session(config) as session:
        remove_recurrence(session, args.id)
        session.commit()
    print(f"recurring campaign {args.id} removed")


def cmd_repeat_pause(args: argparse.Namespace) -> None:
    from smsbox.account_details import account_zone
    from smsbox.campaigns.recurring import set_paused

    config = load_config(args.config)
    paused = args.repeat_command == "pause"
    with refusing_session(config) as session:
        set_paused(session, args.id, paused, account_zone(session, config.messaging.timezone))
        session.commit()
    print(f"recurring campaign {args.id} {'paused' if paused else 'resumed'}")


def _recipients_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--group", action="append", default=[], metavar="NAME", help="a group (repeatable)"
    )
    parser.add_argument(
        "--number", action="append", default=[], metavar="NUMBER", help="a number (repeatable)"
    )
    parser.add_argument(
        "--transactional",
        action="store_true",
        help="goes out at any hour (default: commercial, within the sending hours)",
    )
    parser.add_argument("--name", default="", help="default: the start of the text")
    parser.add_argument(
        "text", help="the text; {name}, {first_name} or {prénom} and contact fields are filled"
    )


def add_campaign_commands(commands, add) -> None:
    campaign = commands.add_parser("campaign", help="send to groups, follow and cancel sends")
    sub = campaign.add_subparsers(dest="campaign_command", required=True)
    sending = add("send", cmd_campaign_send, "send one text to groups and numbers", sub)
    sending.add_argument(
        "--at", metavar="TIME", help="local time to send at, e.g. '2026-12-24 09:00'"
    )
    _recipients_arguments(sending)
    listing = add("list", cmd_campaign_list, "list campaigns, newest first", sub)
    listing.add_argument("--limit", type=int, default=50, help="at most N (default 50)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    showing = add("show", cmd_campaign_show, "a campaign and its messages' states", sub)
    showing.add_argument("id", type=int)
    showing.add_argument("--json", action="store_true", help="as JSON")
    cancelling = add("cancel", cmd_campaign_cancel, "cancel what still waits of a campaign", sub)
    cancelling.add_argument("id", type=int)

    repeat = sub.add_parser("repeat", help="campaigns sent again and again")
    repeat_sub = repeat.add_subparsers(dest="repeat_command", required=True)
    adding = add("add", cmd_repeat_add, "send a text daily, weekly or monthly", repeat_sub)
    every = adding.add_mutually_exclusive_group()
    every.add_argument("--daily", action="store_true", help="every day (the default)")
    every.add_argument("--weekly", metavar="DAYS", help="on these days, e.g. mon,thu")
    every.add_argument("--monthly", type=int, metavar="DAY", help="on this day of the month")
    adding.add_argument("--time", required=True, metavar="HH:MM", help="local time")
    adding.add_argument("--until", metavar="YYYY-MM-DD", help="last day (default: no end)")
    _recipients_arguments(adding)
    listing = add("list", cmd_repeat_list, "list recurring campaigns", repeat_sub)
    listing.add_argument("--json", action="store_true", help="as JSON")
    for name, handler, help_text in (
        ("remove", cmd_repeat_remove, "delete a recurring campaign (its campaigns stay)"),
        ("pause", cmd_repeat_pause, "stop sending it until resumed"),
        ("resume", cmd_repeat_pause, "send it again from its next occurrence"),
    ):
        add(name, handler, help_text, repeat_sub).add_argument("id", type=int)
