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
from smsbox.quotas import check_send, refusal_logged
from smsbox.routing import requested_modem
from smsbox.wakeup import notify
from web.db import get_config, get_session, get_timezone
from web.i18n import reason
from web.messages.forms import SendForm


def queue_typed_message(
    number: str, body: Field, number_field: Field | None = None
) -> Message | None:
    """Queue `body`'s text to `number`, commit and wake the daemon; or, refused, say why next to
    `number_field` (else `body`) or `body` and return None."""
    session = get_session()
    config = get_config()
    try:
        with refusal_logged(session, current_user.actor, number):
            check_send(session, count=1, user_id=current_user.id, zone=ZoneInfo(get_timezone()))
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


def queue_send_form(form: SendForm) -> list[Message] | None:
    """Queue the checked send form's text to each of its numbers, or schedule it, in
    one transaction; commit and wake the daemon. None when the account's caps refuse
    it, the reason next to the text."""
    config = get_config()
    session = get_session()
    numbers = form.to_numbers or {}
    try:
        with refusal_logged(session, current_user.actor, ", ".join(numbers)):
            check_send(
                session,
                count=len(numbers),
                user_id=current_user.id,
                zone=ZoneInfo(get_timezone()),
            )
    except MessageRejected as error:
        form.body.errors = [*form.body.errors, reason(error)]
        return None
    modem_id = requested_modem(session, config.modems, form.modem.data) if form.modem.data else None
    messages = [
        queue_message(
            session,
            raw,
            form.body.data or "",
            default_region=config.messaging.default_region,
            scheduled_at=form.scheduled_at,
            created_by_id=current_user.id,
            requested_modem_id=modem_id,
        )
        for raw in numbers.values()
    ]
    activity.record(
        session,
        Action.MESSAGES_QUEUED,
        current_user.actor,
        ", ".join(numbers),
        recipients=len(messages),
    )
    session.commit()
    if form.scheduled_at is None:
        notify(config)
    return messages
