"""Making a campaign, following it, cancelling it.

A campaign is checked whole before anything is queued: the placeholders, every
recipient's text, the caps (smsbox.quotas) for the real number of recipients. Then
its messages are inserted in one transaction, many rows per statement, without the
per-row triggers of `conversations`, `hourly_traffic`, `unread_total` and the trigram index
(smsbox.bulk_inserts). Group sends
are commercial unless said transactional: they wait for the sending hours
(smsbox.sending_window), the daemon holding them in the queue meanwhile.

Cancelling turns what is still `queued` or `scheduled` into `cancelled` by one
UPDATE conditional on that state, as smsbox.scheduled.cancel does; the daemon's claim
is conditional on `queued` too (smsbox.sending.claim_next), so of the two whichever
the database runs first wins, and a message already claimed goes out.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from smsbox import (
    activity,
    bulk_inserts,
    conversation_triggers,
    message_search,
    traffic_triggers,
    unread_triggers,
)
from smsbox.activity import Action, Actor
from smsbox.campaigns.placeholders import Template, check_known, parse
from smsbox.campaigns.recipients import Recipient, Recipients, resolve
from smsbox.message_lists import OUTBOUND_STATUSES
from smsbox.message_settings import message_settings
from smsbox.models import Campaign, Direction, Group, Message, Status, utcnow
from smsbox.outbox import MessageRejected, check_body
from smsbox.quotas import check_send
from smsbox.refusals import Refusal

NAME_MAX = 200
# Waiting for their turn, and still possible to cancel.
WAITING = (Status.QUEUED, Status.SCHEDULED)
# The states a campaign's page counts: every state of an outbound message.
COUNTED = OUTBOUND_STATUSES


class State(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class CampaignRefused(Refusal):
    """A campaign that cannot be, or cannot be done; nothing was queued or changed."""


@dataclass(frozen=True)
class CampaignRequest:
    text: str
    groups: Sequence[Group] = ()
    numbers: Sequence[str] = ()
    # None: at once.
    send_at: datetime | None = None
    transactional: bool = False
    name: str = ""
    created_by_id: int | None = None


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    # Every state of COUNTED, 0 when none.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(self.counts[status] for status in (*WAITING, Status.SENDING))

    @property
    def finished(self) -> bool:
        return self.waiting == 0


def send_campaign(
    session: Session,
    request: CampaignRequest,
    actor: Actor,
    *,
    default_region: str,
    zone: ZoneInfo,
    recurrence: tuple[int, datetime] | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Check the campaign whole, then queue a message per recipient (one flush; the
    caller commits). `recurrence`: the (recurrence id, occurrence) this is one of."""
    template = parse(request.text)
    check_body(request.text)
    if not request.groups and not request.numbers:
        raise CampaignRefused("choose at least one group or number to send to")
    recipients = resolve(
        session,
        request.groups,
        request.numbers,
        default_region,
        # A contact's own field may stand for a built-in placeholder too.
        with_fields=bool(template.names),
    )
    check_known(template, recipients.field_names)
    # Signed as every text staff send is (smsbox.outbox.signed_text), checked signed.
    bodies = _bodies(template, recipients, message_settings(session).signed)
    check_send(session, count=len(bodies), user_id=request.created_by_id, zone=zone)
    campaign = Campaign(
        name=_name(request),
        template=request.text,
        created_by_id=request.created_by_id,
        send_at=request.send_at,
        state=State.ACTIVE,
        transactional=request.transactional,
        groups=[group.name for group in request.groups],
        numbers=[number.strip() for number in request.numbers if number.strip()],
        recipients=len(bodies),
        opted_out=recipients.opted_out,
        duplicates=recipients.duplicates,
        cancelled=0,
        recurrence_id=recurrence[0] if recurrence else None,
        occurrence_at=recurrence[1] if recurrence else None,
    )
    session.add(campaign)
    session.flush()
    _queue(session, campaign, recipients, bodies, request, now or utcnow())
    activity.record(
        session,
        Action.MESSAGES_QUEUED,
        actor,
        f"campaign {campaign.id}",
        recipients=campaign.recipients,
        opted_out=campaign.opted_out,
        duplicates=campaign.duplicates,
    )
    return campaign


def _name(request: CampaignRequest) -> str:
    given = " ".join(request.name.split())
    if len(given) > NAME_MAX:
        raise CampaignRefused("a campaign name has at most %(limit)s characters", limit=NAME_MAX)
    return given or " ".join(request.text.split())[:60]


def _bodies(template: Template, recipients: Recipients, signed: Callable[[str], str]) -> list[str]:
    # Recipients of the same name and the very same fields (one dictionary, which
    # contacts whose fields read the same share: smsbox.contacts.fields_text) get the
    # same text: filled and checked once, not once for each of 100,000 recipients.
    texts: dict[tuple[str, int], str] = {}
    bodies = []
    for recipient in recipients.reachable:
        key = (recipient.name, id(recipient.fields))
        body = texts.get(key)
        if body is None:
            body = texts[key] = _checked(template, recipient, signed)
        bodies.append(body)
    return bodies


def _checked(template: Template, recipient: Recipient, signed: Callable[[str], str]) -> str:
    body = signed(template.fill(recipient.name, recipient.fields))
    try:
        check_body(body)
    except MessageRejected as refused:
        raise CampaignRefused(
            "the text for %(number)s cannot be sent: %(reason)s",
            number=recipient.number,
            reason=str(refused),
        ) from None
    return body


def _queue(
    session: Session,
    campaign: Campaign,
    recipients: Recipients,
    bodies: list[str],
    request: CampaignRequest,
    now: datetime,
) -> None:
    waits = request.send_at is not None and request.send_at > now
    shared = {
        "direction": Direction.OUTBOUND,
        "status": Status.SCHEDULED if waits else Status.QUEUED,
        "scheduled_at": request.send_at if waits else None,
        "created_at": now,
        "created_by_id": request.created_by_id,
        "transactional": request.transactional,
        "campaign_id": campaign.id,
        "attempts": 0,
    }
    rows = [
        (recipient.number, recipient.raw_number, body)
        for recipient, body in zip(recipients.reachable, bodies, strict=True)
    ]
    # Core, not the ORM's bulk insert: the rows need no objects, and the ORM's
    # bookkeeping per row was a third of the time. The triggers' work per row was most
    # of the rest: what they keep is brought up to date once instead.
    with bulk_inserts.triggers_off(session) as connection:
        bulk_inserts.insert_many(
            connection, Message.__table__, shared, ("number", "raw_number", "body"), rows
        )
        conversation_triggers.follow_campaign(connection, campaign.id)
        traffic_triggers.count_inserted(connection, shared, len(rows))
        unread_triggers.count_campaign(connection, campaign.id)
        message_search.index_campaign(connection, campaign.id)


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignRefused("there is no campaign %(id)s", id=campaign_id)
    return campaign


def progress(session: Session, campaign_id: int) -> Progress:
    """The campaign and how many of its messages are in each state: one grouped
    count on the (campaign_id, status) index."""
    campaign = get_campaign(session, campaign_id)
    counts = dict.fromkeys(COUNTED, 0)
    counts.update(
        session.execute(
            select(Message.status, func.count())
            .where(Message.campaign_id == campaign_id)
            .group_by(Message.status)
        ).all()
    )
    return Progress(campaign, counts)


def cancel_campaign(session: Session, campaign_id: int, actor: Actor) -> int:
    """Cancel every message of the campaign still waiting (see the module); how many."""
    campaign = get_campaign(session, campaign_id)
    cancelled = session.execute(
        update(Message)
        .where(Message.campaign_id == campaign_id, Message.status.in_(WAITING))
        .values(status=Status.CANCELLED)
        .execution_options(synchronize_session=False)
    ).rowcount
    campaign.state = State.CANCELLED
    campaign.cancelled += cancelled
    activity.record(
        session, Action.CAMPAIGN_CANCELLED, actor, f"campaign {campaign.id}", cancelled=cancelled
    )
    session.flush()
    return cancelled


def list_campaigns(
    session: Session, *, before: int | None = None, limit: int = 50
) -> list[Campaign]:
    """Newest first, `limit` of them, those older than campaign `before` if given."""
    statement = select(Campaign).order_by(Campaign.id.desc()).limit(limit)
    if before is not None:
        statement = statement.where(Campaign.id < before)
    return list(session.scalars(statement))
