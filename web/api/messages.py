"""/api/v1/messages: send, list, read one, cancel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, g, request
from sqlalchemy.exc import IntegrityError

from smsbox import activity, idempotency, outbox
from smsbox.activity import Action
from smsbox.history import find_page
from smsbox.message_actions import cancel_message
from smsbox.message_lists import Cursor, ListRefused
from smsbox.models import Direction, Message, Status, utcnow
from smsbox.numbers import InvalidNumber, from_network, to_e164
from smsbox.quotas import QuotaExceeded, check_send, refusal_logged
from smsbox.routing import UnknownModem, requested_modem
from smsbox.wakeup import notify
from web.api import bp, commit_logged, problems
from web.api.problems import Problem
from web.api.schemas import (
    IDEMPOTENCY_KEY_LENGTH,
    MessageDetail,
    MessageFilter,
    MessageOut,
    MessagePage,
    QueuedMessage,
    SendAnswer,
    SendRequest,
)
from web.api.spec import as_json, json_response, operation
from web.db import get_config, get_session, get_timezone, one_writer

IDEMPOTENCY_HEADER = "Idempotency-Key"
_TEXT_KINDS = (
    (outbox.EmptyMessage, problems.EMPTY_TEXT),
    (outbox.MessageTooLong, problems.TOO_LONG),
    (outbox.MessageRejected, problems.INVALID_TEXT),
)


@operation(
    bp,
    "POST",
    "/messages",
    "Send a message",
    scope="send",
    answer=SendAnswer,
    status=201,
    body=SendRequest,
    errors=(
        problems.INVALID_NUMBER,
        problems.EMPTY_TEXT,
        problems.TOO_LONG,
        problems.INVALID_TEXT,
        problems.UNKNOWN_MODEM,
        problems.QUOTA_EXCEEDED,
        problems.CONFLICT,
    ),
    headers={
        IDEMPOTENCY_HEADER: "the same key and body again within 24 h get the first answer "
        "back and queue nothing; the same key with another body is a conflict (409)"
    },
)
def send(body: SendRequest) -> Response:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        with one_writer():
            answer, entry = _queue(body)
            commit_logged(201, entry)
        notify(get_config())
        return json_response(as_json(answer), 201)
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_LENGTH:
        raise Problem(
            problems.INVALID_REQUEST,
            f"{IDEMPOTENCY_HEADER} has 1 to {IDEMPOTENCY_KEY_LENGTH} characters",
            field=IDEMPOTENCY_HEADER,
        )
    fingerprint = idempotency.request_fingerprint(request.method, request.path, request.get_data())
    for _ in range(2):  # the second time, after losing a race to the same request
        with one_writer():
            answer = _queue_once(body, key, fingerprint)
        if answer is not None:
            return json_response(answer.body, answer.status_code)
    raise Problem(problems.CONFLICT, "the same request is being served: try again")


def _queue_once(body: SendRequest, key: str, fingerprint: str) -> idempotency.StoredAnswer | None:
    """The answer to the request with this `Idempotency-Key`: given before, or queued
    and committed now; None when the same request, served meanwhile by another process,
    committed first."""
    session = get_session()
    try:
        earlier = idempotency.stored_answer(session, g.caller.api_key_id, key, fingerprint)
    except idempotency.KeyReused:
        raise Problem(
            problems.CONFLICT,
            f"this {IDEMPOTENCY_HEADER} came before with another request",
            field=IDEMPOTENCY_HEADER,
        ) from None
    if earlier is not None:
        session.rollback()
        return earlier
    answer, entry = _queue(body)
    stored = idempotency.StoredAnswer(201, as_json(answer))
    try:
        idempotency.record_answer(session, g.caller.api_key_id, key, fingerprint, stored)
        commit_logged(201, entry)
    except IntegrityError:
        session.rollback()
        return None
    notify(get_config())
    return stored


def _queue(body: SendRequest) -> tuple[SendAnswer, dict[str, object]]:
    """Queue the message to every recipient, or nothing: the first invalid number or
    text refuses the whole request. The caller commits, with the activity entry
    returned (activity.values)."""
    config = get_config()
    region = config.messaging.default_region
    session = get_session()
    try:
        text = outbox.checked_signed(session, body.text)
    except outbox.MessageRejected as error:
        kind = next(kind for refusal, kind in _TEXT_KINDS if isinstance(error, refusal))
        raise Problem(kind, str(error), field="text") from None
    numbers = []
    for index, raw in enumerate(body.to):
        try:
            numbers.append(to_e164(raw, region))
        except InvalidNumber as error:
            raise Problem(problems.INVALID_NUMBER, str(error), field=f"to[{index}]") from None
    modem_id = None
    if body.modem is not None:
        try:
            modem_id = requested_modem(session, config.modems, body.modem)
        except UnknownModem as error:
            raise Problem(problems.UNKNOWN_MODEM, str(error), field="modem") from None
    subject = numbers[0] if len(numbers) == 1 else None
    try:
        with refusal_logged(session, g.caller.actor, subject):
            check_send(
                session,
                count=len(numbers),
                user_id=g.caller.user_id,
                zone=ZoneInfo(get_timezone()),
            )
    except QuotaExceeded as error:
        raise Problem(problems.QUOTA_EXCEEDED, str(error)) from None
    later = body.send_at if body.send_at is not None and body.send_at > utcnow() else None
    queued = outbox.queue_messages(
        session,
        list(zip(body.to, numbers, strict=True)),
        text,
        scheduled_at=later,
        created_by_id=g.caller.user_id,
        requested_modem_id=modem_id,
        callback_data=body.callback_data,
        transactional=not body.commercial,
    )
    entry = activity.values(
        Action.MESSAGES_QUEUED, g.caller.actor, subject, recipients=len(numbers)
    )
    answer = SendAnswer(messages=[QueuedMessage.of(message) for message in queued])
    return answer, entry


@operation(
    bp,
    "GET",
    "/messages",
    "List messages",
    scope="read",
    answer=MessagePage,
    query=MessageFilter,
)
def list_messages(query: MessageFilter) -> MessagePage:
    try:
        cursor = Cursor.parse(query.cursor) if query.cursor else None
    except ListRefused:
        raise Problem(problems.INVALID_REQUEST, "this cursor is damaged", field="cursor") from None
    # A sender may be a name ('ORANGE') or a short code: looked for as given.
    region = get_config().messaging.default_region
    number = from_network(query.number, region) if query.number is not None else None
    found, more = find_page(
        get_session(),
        direction=Direction(query.direction) if query.direction else None,
        status=query.status,
        number=number,
        since=query.since,
        until=query.until,
        older_than_cursor=cursor,
        limit=query.limit,
    )
    next_cursor = str(Cursor.of(found[-1])) if more else None
    return MessagePage(messages=[MessageOut.of(m) for m in found], next_cursor=next_cursor)


@operation(
    bp,
    "GET",
    "/messages/<int:message_id>",
    "Get a message",
    scope="read",
    answer=MessageDetail,
    errors=(problems.NOT_FOUND,),
)
def get_message(message_id: int) -> MessageDetail:
    message = get_session().get(Message, message_id)
    if message is None:
        raise Problem(problems.NOT_FOUND, f"no message {message_id}")
    return MessageDetail.of(message)


@operation(
    bp,
    "DELETE",
    "/messages/<int:message_id>",
    "Cancel a message",
    scope="send",
    answer=None,
    status=204,
    errors=(problems.NOT_FOUND, problems.CONFLICT),
)
def cancel(message_id: int) -> Response:
    session = get_session()
    cancelled = cancel_message(session, message_id)
    if cancelled:
        activity.record(
            session,
            Action.MESSAGE_CANCELLED,
            g.caller.actor,
            session.get(Message, message_id).number,
            message=message_id,
        )
        session.commit()
        return Response(status=204)
    session.rollback()
    if cancelled is None:
        raise Problem(problems.NOT_FOUND, f"no outbound message {message_id}")
    message = session.get(Message, message_id)
    if message is None:  # deleted meanwhile
        raise Problem(problems.NOT_FOUND, f"no outbound message {message_id}")
    status = message.status
    if status == Status.CANCELLED:  # a client retrying its DELETE: it is done
        return Response(status=204)
    raise Problem(
        problems.CONFLICT,
        f"message {message_id} is {status}: only a message no modem has started "
        f"sending ({Status.SCHEDULED}, or {Status.QUEUED} with no part sent) can be cancelled",
    )
