"""What the API reads and writes, as pydantic models: they check each request and
shape each answer, and the OpenAPI document is written from them (web.api.spec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import Row

from smsbox.idempotency import MAX_KEY_LENGTH
from smsbox.models import IncomingCall, Message, MessagePart, OptOut, Status
from smsbox.outbox import MAX_BODY_LENGTH, Queued

MAX_RECIPIENTS = 100
MAX_CALLBACK_DATA = 1024
MAX_PAGE = 100
IDEMPOTENCY_KEY_LENGTH = MAX_KEY_LENGTH


class Request(BaseModel):
    """A JSON body: exactly the fields described, each of its own type."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Query parameters: text converted to the type described, no unknown name."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    pass


def _one_or_several(value: object) -> object:
    return [value] if isinstance(value, str) else value


Recipients = Annotated[
    list[Annotated[str, Field(max_length=64)]],
    BeforeValidator(_one_or_several, json_schema_input_type=str | list[str]),
    Field(min_length=1, max_length=MAX_RECIPIENTS),
]


class SendRequest(Request):
    to: Recipients = Field(
        description="one number, or a list of up to 100: national (in the box's region) "
        "or international format. One invalid number refuses the whole request.",
    )
    text: str = Field(description=f"the message, 1 to {MAX_BODY_LENGTH} characters")
    send_at: AwareDatetime | None = Field(
        None, description="RFC 3339 time to send it at; now when absent or past"
    )
    modem: str | None = Field(
        None, description="the [[modem]] that must send it (and no other, even while down)"
    )
    callback_data: str | None = Field(
        None,
        max_length=MAX_CALLBACK_DATA,
        description="your own reference, stored with each message and given back with it",
    )
    commercial: bool = Field(
        False,
        description="a commercial message waits for the account's sending hours; "
        "others (replies, codes, reminders) go at any hour",
    )


class OptOutRequest(Request):
    number: str = Field(max_length=64, description="national or international format")


class MessageFilter(Query):
    direction: Literal["in", "out"] | None = None
    status: Status | None = None
    number: str | None = Field(None, max_length=64, description="only this number")
    since: AwareDatetime | None = Field(None, description="created at or after (RFC 3339)")
    until: AwareDatetime | None = Field(None, description="created before (RFC 3339)")
    cursor: str | None = Field(None, max_length=40, description="`next_cursor` of a page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class ConversationFilter(Query):
    search: str = Field("", max_length=100, description="part of a number or a contact's name")
    cursor: str | None = Field(None, max_length=60, description="`next_cursor` of a page")
    limit: int = Field(30, ge=1, le=MAX_PAGE)


class ConversationQuery(Query):
    before: str | None = Field(None, max_length=60, description="`older_cursor` of a page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class CallFilter(Query):
    limit: int = Field(50, ge=1, le=500)


class PartOut(Answer):
    number: int
    status: Status
    reference: int | None = Field(description="the network's TP-MR for this part")
    attempts: int
    error: str | None
    sent_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, part: MessagePart) -> PartOut:
        return cls(
            number=part.part_number,
            status=part.status,
            reference=part.reference,
            attempts=part.attempts,
            error=part.error,
            sent_at=part.sent_at,
            delivered_at=part.delivered_at,
        )


class MessageOut(Answer):
    id: int
    direction: Literal["in", "out"]
    number: str = Field(description="E.164, or the sender as the network gave it")
    raw_number: str
    text: str
    status: Status
    error: str | None
    created_at: datetime
    scheduled_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    callback_data: str | None

    @classmethod
    def of(cls, message: Message | tuple) -> MessageOut:
        return cls(**_message_fields(message))


class MessageDetail(MessageOut):
    modem: str | None = Field(description="the modem that sent or received it")
    requested_modem: str | None
    parts: list[PartOut] = Field(description="outbound: each SMS on the air, in order")

    @classmethod
    def of(cls, message: Message) -> MessageDetail:
        return cls(
            **_message_fields(message),
            modem=message.modem.name if message.modem else None,
            requested_modem=message.requested_modem.name if message.requested_modem else None,
            parts=[PartOut.of(part) for part in message.parts],
        )


# The columns of a message that MessageOut answers with, for a statement that reads them
# alone (smsbox.conversations.list_conversations).
MESSAGE_OUT_COLUMNS = (
    Message.id,
    Message.direction,
    Message.number,
    Message.raw_number,
    Message.body,
    Message.status,
    Message.error,
    Message.created_at,
    Message.scheduled_at,
    Message.sent_at,
    Message.delivered_at,
    Message.callback_data,
)


def _message_fields(message: Message | Queued | tuple) -> dict[str, object]:
    return {
        "id": message.id,
        "direction": message.direction,
        "number": message.number,
        "raw_number": message.raw_number,
        "text": message.body,
        "status": message.status,
        "error": message.error,
        "created_at": message.created_at,
        "scheduled_at": message.scheduled_at,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "callback_data": message.callback_data,
    }


class QueuedMessage(MessageOut):
    opted_out: bool = Field(
        description="the number is on the STOP list: the message is queued like any "
        "other, and the daemon ends it `blocked` instead of sending it (unless the "
        "number is taken off the list before)"
    )

    @classmethod
    def of(cls, message: Queued) -> QueuedMessage:  # type: ignore[override]
        return cls(**_message_fields(message), opted_out=message.opted_out)


class SendAnswer(Answer):
    messages: list[QueuedMessage] = Field(description="one per recipient, in the order given")


class MessagePage(Answer):
    messages: list[MessageOut] = Field(description="newest first")
    next_cursor: str | None = Field(description="the next (older) page; null on the last")


class ConversationOut(Answer):
    number: str
    contact_name: str | None
    unread: int
    last_message: MessageOut


class ConversationPage(Answer):
    conversations: list[ConversationOut] = Field(description="latest message first")
    next_cursor: str | None


class ConversationMessages(Answer):
    number: str
    contact_name: str | None
    messages: list[MessageOut] = Field(description="oldest first")
    older_cursor: str | None = Field(description="`before` for the older page; null if none")


class CallOut(Answer):
    id: int
    number: str | None = Field(description="E.164; null when withheld")
    raw_number: str | None
    received_at: datetime
    rings: int
    hung_up: bool

    @classmethod
    def of(cls, call: IncomingCall) -> CallOut:
        return cls(
            id=call.id,
            number=call.number,
            raw_number=call.raw_number,
            received_at=call.received_at,
            rings=call.rings,
            hung_up=call.hung_up,
        )


class CallList(Answer):
    calls: list[CallOut] = Field(description="newest first")


class ModemOut(Answer):
    name: str
    state: str
    role: str
    rate_limit: int | None
    signal_quality: int | None = Field(description="0 to 31, as AT+CSQ gives it")
    registration: str | None
    operator: str | None
    storage_used: int | None
    storage_total: int | None
    own_number: str | None
    last_error: str | None
    last_seen_at: datetime | None

    @classmethod
    def of(cls, modem: Row[Any]) -> ModemOut:
        return cls.model_validate(modem, from_attributes=True)


class ModemList(Answer):
    modems: list[ModemOut]


class OptOutOut(Answer):
    number: str
    since: datetime
    stop_message_id: int | None = Field(description="the STOP message; null when added by hand")

    @classmethod
    def of(cls, entry: OptOut) -> OptOutOut:
        return cls(
            number=entry.number, since=entry.created_at, stop_message_id=entry.source_message_id
        )


class OptOutList(Answer):
    optouts: list[OptOutOut]


class ProblemOut(Answer):
    """RFC 9457: `type` is stable for each kind of error."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = Field(None, description="the request field at fault")
    errors: list[dict[str, str]] | None = Field(
        None, description="every field at fault, with `field` and `detail`"
    )
