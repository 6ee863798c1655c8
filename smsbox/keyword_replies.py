"""What an inbound keyword does, once its message is stored: STOP puts the number on
the STOP list, START takes it off (after a confirmation, with double opt-in), HELP
gets the help text; each with the account's reply, at most a few an hour to one
number so that two machines answering each other cannot loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, func, select, update

from smsbox import activity, optouts, outbox
from smsbox.activity import BY_SMS, Action
from smsbox.inbox import ReceivedMessage
from smsbox.keywords import CustomKeyword, KeywordRules, Kind
from smsbox.outbox import Queued
from smsbox.refusals import Refusal
from smsbox.tables import Direction, messages, opt_outs, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsbox.models import Message

log = logging.getLogger(__name__)

# The default reply (a message that says no keyword) is marked so in `keyword_reply`.
DEFAULT_REPLY = "default"
REPLY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Answer:
    """What a keyword did: its kind (None: no keyword), and the reply queued if any."""

    kind: Kind | None
    reply: Queued | None = None


def answer(
    session: Session,
    message: ReceivedMessage | Message,
    rules: KeywordRules,
    *,
    default_region: str,
    now: datetime | None = None,
) -> Answer:
    """Act on the inbound `message` (committed by the caller before and after)."""
    if message.direction != Direction.INBOUND or message.error is not None:
        # A long message that could not be joined carries only what its parts hold.
        return Answer(None)
    replies = _Replies(session, message, rules, default_region, now or utcnow())
    kind = rules.kind_of(message.body)
    on_list = session.execute(
        select(opt_outs.c.id, opt_outs.c.opt_in_requested_at).where(
            opt_outs.c.number == message.number
        )
    ).first()
    if kind is Kind.OPT_OUT:
        optouts.opt_out(
            session,
            message.number,
            source_message_id=message.id,
            source="sms",
            keyword=message.body.strip(),
        )
        activity.record(
            session, Action.OPTOUT_ADDED, BY_SMS, message.number, keyword=message.body.strip()
        )
        return Answer(kind, replies.send(rules.opt_out_reply, kind))
    if kind is Kind.OPT_IN:
        if on_list is None:
            return Answer(kind)  # it receives already
        return Answer(kind, _opt_in(replies, on_list))
    custom = rules.custom_for(message.body) if kind is Kind.CUSTOM else None
    if custom is not None:
        return Answer(kind, _tag(replies, custom, reply=on_list is None))
    if on_list is not None:
        # An opted-out number gets nothing but the answers to its own STOP and START.
        return Answer(kind)
    if kind is Kind.HELP:
        return Answer(kind, replies.send(rules.help_reply, kind))
    return Answer(None, replies.send(rules.default_reply, DEFAULT_REPLY))


@dataclass(frozen=True)
class _Replies:
    session: Session
    to: ReceivedMessage | Message
    rules: KeywordRules
    default_region: str
    now: datetime

    def send(self, text: str, kind: str) -> Queued | None:
        """Queue `text` to the sender, unless it is empty or the sender had its share of
        automatic replies this hour."""
        if not text.strip():
            return None
        replied = self.session.scalar(
            select(func.count(messages.c.id)).where(
                messages.c.number == self.to.number,
                messages.c.created_at > self.now - REPLY_WINDOW,
                messages.c.keyword_reply.is_not(None),
            )
        )
        if replied >= self.rules.replies_per_hour:
            log.warning("no automatic reply to %s: %d in the last hour", self.to.number, replied)
            return None
        try:
            return outbox.queue_reply(
                self.session,
                self.to.number,
                text,
                default_region=self.default_region,
                keyword_reply=kind,
            )
        except Refusal as refused:  # a sender name such as "ORANGE" takes no reply
            log.warning("no automatic reply to %s: %s", self.to.number, refused)
            return None


def _tag(replies: _Replies, custom: CustomKeyword, *, reply: bool) -> Queued | None:
    """Join the keyword's group, and the keyword's reply if `reply` (a number on the
    STOP list is tagged all the same, but gets nothing)."""
    # Here, not at the top: the daemon loads the contacts' modules (and the lists they
    # bring) only once a keyword puts a number in a group.
    from smsbox.contacts.details import ContactRefused
    from smsbox.contacts.tagging import tag_number

    number = replies.to.number
    try:
        tag_number(replies.session, number, custom.group, region=replies.default_region)
    except ContactRefused as refused:  # a sender name such as "ORANGE"
        log.warning("%s not put in group %s: %s", number, custom.group, refused)
        return None
    activity.record(
        replies.session,
        Action.KEYWORD_TAGGED,
        BY_SMS,
        number,
        keyword=replies.to.body.strip(),
        group=custom.group,
    )
    return replies.send(custom.reply, Kind.CUSTOM) if reply else None


def _opt_in(replies: _Replies, on_list: Row[Any]) -> Queued | None:
    rules = replies.rules
    asked = on_list.opt_in_requested_at
    window = timedelta(hours=rules.confirm_within_hours)
    if rules.double_opt_in and not (asked is not None and replies.now - asked <= window):
        replies.session.execute(
            update(opt_outs)
            .where(opt_outs.c.id == on_list.id)
            .values(opt_in_requested_at=replies.now)
        )
        return replies.send(rules.opt_in_confirm_request, Kind.OPT_IN)
    optouts.opt_in(replies.session, replies.to.number)
    activity.record(
        replies.session,
        Action.OPTOUT_REMOVED,
        BY_SMS,
        replies.to.number,
        keyword=replies.to.body.strip(),
    )
    return replies.send(rules.opt_in_reply, Kind.OPT_IN)
