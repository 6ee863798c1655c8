"""Queueing what a person typed, for every form that sends: the core's refusals shown
next to the field they concern, the text kept as typed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_login import current_user
from wtforms import Field

from smsbox import activity
from smsbox.activity import Action
from smsbox.models import Message
from smsbox.numbers import InvalidNumber
from smsbox.outbox import MessageRejected, queue_message
from smsbox.quotas import check_send
from smsbox.wakeup import notify
from web.db import get_config, get_session
from web.i18n import reason


def queue_typed_message(
    number: str, body: Field, number_field: Field | None = None
) -> Message | None:
    """Queue `body`'s text to `number`, commit and wake the daemon; or, refused, say why next to
    `number_field` (else `body`) or `body` and return None."""
    session = get_session()
    config = get_config()
    try:
        check_send(
            session, count=1, user_id=current_user.id, zone=ZoneInfo(config.messaging.timezone)
        )
        message = queue_message(
            session,
            number,
            body.data or "",
            default_region=config.messaging.default_region,
            created_by_id=current_user.id,
        )
    except InvalidNumber as error:
        field = number_field or body
        field.errors = [*field.errors, reason(error)]
    except MessageRejected as error:
        body.errors = [*body.errors, reason(error)]
    else:
        activity.record(
            session, Action.MESSAGES_QUEUED, current_user.actor, message.number, recipients=1
        )
        session.commit()
        notify(config)
        return message
    session.rollback()
    return None
