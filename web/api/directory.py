"""/api/v1 conversations, calls, modems and the STOP list."""

from __future__ import annotations

from flask import Response, g

from smsbox import activity, conversations
from smsbox.activity import Action
from smsbox.calls import list_calls
from smsbox.modems import list_modems
from smsbox.numbers import InvalidNumber, from_network, to_e164
from smsbox.optouts import list_optouts, opt_in, opt_out
from web.api import bp, problems
from web.api.problems import Problem
from web.api.schemas import (
    MESSAGE_OUT_COLUMNS,
    CallFilter,
    CallList,
    CallOut,
    ConversationFilter,
    ConversationMessages,
    ConversationOut,
    ConversationPage,
    ConversationQuery,
    MessageOut,
    ModemList,
    ModemOut,
    OptOutList,
    OptOutOut,
    OptOutRequest,
)
from web.api.spec import operation
from web.db import get_config, get_session


def _cursor(parse, text: str | None, field: str):  # type: ignore[no-untyped-def]
    try:
        return parse(text) if text else None
    except conversations.BadCursor:
        raise Problem(problems.INVALID_REQUEST, "this cursor is damaged", field=field) from None


@operation(
    bp,
    "GET",
    "/conversations",
    "List conversations",
    scope="read",
    answer=ConversationPage,
    query=ConversationFilter,
)
def list_conversations(query: ConversationFilter) -> ConversationPage:
    page = conversations.list_conversations(
        get_session(),
        default_region=get_config().messaging.default_region,
        search=query.search,
        after=_cursor(conversations.ConversationCursor.parse, query.cursor, "cursor"),
        page_size=query.limit,
        columns=MESSAGE_OUT_COLUMNS,
    )
    return ConversationPage(
        conversations=[
            ConversationOut(
                number=found.number,
                contact_name=found.contact_name,
                unread=found.unread,
                last_message=MessageOut.of(found.last_message),
            )
            for found in page.conversations
        ],
        next_cursor=str(page.next_cursor) if page.next_cursor else None,
    )


@operation(
    bp,
    "GET",
    "/conversations/<number>",
    "Get a conversation",
    scope="read",
    answer=ConversationMessages,
    query=ConversationQuery,
    errors=(problems.NOT_FOUND,),
)
def get_conversation(number: str, query: ConversationQuery) -> ConversationMessages:
    # A sender may be a name ('ORANGE') or a short code: kept as the network gave it.
    number = from_network(number, get_config().messaging.default_region)
    session = get_session()
    if not conversations.has_messages(session, number):
        raise Problem(problems.NOT_FOUND, f"no message to or from {number}")
    page = conversations.conversation_messages(
        session,
        number,
        before=_cursor(conversations.MessageCursor.parse, query.before, "before"),
        page_size=query.limit,
    )
    return ConversationMessages(
        number=number,
        contact_name=conversations.contact_name(session, number),
        messages=[MessageOut.of(message) for message in page.messages],
        older_cursor=str(page.older_cursor) if page.older_cursor else None,
    )


@operation(
    bp, "GET", "/calls", "List incoming calls", scope="read", answer=CallList, query=CallFilter
)
def calls(query: CallFilter) -> CallList:
    return CallList(calls=[CallOut.of(call) for call in list_calls(get_session(), query.limit)])


@operation(bp, "GET", "/modems", "List modems", scope="read", answer=ModemList)
def modems() -> ModemList:
    return ModemList(modems=[ModemOut.of(modem) for modem in list_modems(get_session())])


@operation(bp, "GET", "/optouts", "List opt-outs", scope="read", answer=OptOutList)
def optouts() -> OptOutList:
    return OptOutList(optouts=[OptOutOut.of(entry) for entry in list_optouts(get_session())])


def _number(raw: str, field: str | None) -> str:
    try:
        return to_e164(raw, get_config().messaging.default_region)
    except InvalidNumber as error:
        raise Problem(problems.INVALID_NUMBER, str(error), field=field) from None


@operation(
    bp,
    "POST",
    "/optouts",
    "Add an opt-out",
    scope="send",
    answer=OptOutOut,
    status=201,
    body=OptOutRequest,
    errors=(problems.INVALID_NUMBER,),
)
def add_optout(body: OptOutRequest) -> OptOutOut:
    session = get_session()
    number = _number(body.number, "number")
    entry = opt_out(session, number)
    activity.record(session, Action.OPTOUT_ADDED, g.caller.actor, number)
    session.commit()
    return OptOutOut.of(entry)


@operation(
    bp,
    "DELETE",
    "/optouts/<number>",
    "Remove an opt-out",
    scope="admin",
    answer=None,
    status=204,
    errors=(problems.INVALID_NUMBER, problems.NOT_FOUND),
)
def remove_optout(number: str) -> Response:
    session = get_session()
    number = _number(number, None)
    if not opt_in(session, number):
        raise Problem(problems.NOT_FOUND, f"{number} is not on the opt-out list")
    activity.record(session, Action.OPTOUT_REMOVED, g.caller.actor, number)
    session.commit()
    return Response(status=204)
