from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

from smsbox.conversations import (
    BadCursor,
    ConversationCursor,
    MessageCursor,
    contact_name,
    conversation_messages,
    has_messages,
    list_conversations,
    mark_read,
    messages_after,
    outbound_between,
)
from smsbox.models import Message
from smsbox.numbers import InvalidNumber, to_e164
from web.db import get_config, get_session
from web.filters import localtime, status_name
from web.i18n import reason
from web.messages.forms import ReplyForm
from web.messages.queueing import queue_typed_message

Cursor = TypeVar("Cursor", ConversationCursor, MessageCursor)

bp = Blueprint("discussions", __name__, url_prefix="/discussions", template_folder="templates")


@bp.route("")
@login_required
def index() -> ResponseReturnValue:
    search = request.args.get("q", "")
    after = _cursor(ConversationCursor, request.args.get("after"))
    page = list_conversations(
        get_session(),
        default_region=get_config().messaging.default_region,
        search=search,
        after=after,
    )
    return render_template(
        "discussions/index.html",
        title=gettext("Discussions"),
        page=page,
        search=search,
        paged=after is not None,
    )


@bp.route("/<number>", methods=["GET", "POST"])
@login_required
def conversation(number: str) -> ResponseReturnValue:
    _require_conversation(number)
    form = ReplyForm()
    if form.validate_on_submit():
        message = queue_typed_message(number, form.body)
        if message is not None:
            flash(gettext("Message queued for %(number)s.", number=message.number), "success")
            return redirect(url_for("discussions.conversation", number=number, _anchor="reply"))
    before = _cursor(MessageCursor, request.args.get("before"))
    session = get_session()
    page = conversation_messages(session, number, before=before)
    latest = before is None
    if latest:
        # Opening a conversation is reading it: what it shows is marked read, not
        # what arrives after (the live part marks those once they are on screen).
        mark_read(session, number, up_to_id=page.messages[-1].id)
        session.commit()
    page_html = render_template(
        "discussions/conversation.html",
        title=number,
        number=number,
        contact_name=contact_name(session, number),
        page=page,
        latest=latest,
        form=form,
    )
    return page_html, 400 if form.is_submitted() else 200


@bp.route("/<number>/updates")
@login_required
def updates(number: str) -> ResponseReturnValue:
    """What changed since the page was drawn: new messages (after `after`, the last
    one shown) and the states of the messages sent (from `from`, the first shown)."""
    _require_conversation(number)
    after, first = _message_id("after"), _message_id("from")
    session = get_session()
    new = messages_after(session, number, after)
    last = new[-1].id if new else after
    return {
        "messages": [_bubble(message) for message in new],
        "states": [_state(message) for message in outbound_between(session, number, first, last)],
    }


@bp.route("/<number>/read", methods=["POST"])
@login_required
def read(number: str) -> ResponseReturnValue:
    """Mark read what the open page shows, up to the message `up_to`."""
    _require_conversation(number)
    session = get_session()
    marked = mark_read(session, number, up_to_id=_message_id("up_to", request.form))
    session.commit()
    return {"marked": marked}


def _require_conversation(number: str) -> None:
    if has_messages(get_session(), number):
        return
    try:
        to_e164(number, get_config().messaging.default_region)
    except InvalidNumber as error:
        abort(400, description=reason(error))
    abort(404, description=gettext("There is no message with %(number)s.", number=number))


def _cursor(kind: type[Cursor], text: str | None) -> Cursor | None:
    if not text:
        return None
    try:
        return kind.parse(text)
    except BadCursor as error:
        abort(400, description=reason(error))


def _message_id(name: str, values: Mapping[str, str] | None = None) -> int:
    """The message id given as `name` in the query string (or `values`)."""
    text = (request.args if values is None else values).get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        abort(400, description=gettext("“%(value)s” is not a message number.", value=text[:40]))
    return int(text)


def _bubble(message: Message) -> dict[str, object]:
    return {
        **_state(message),
        "direction": message.direction,
        "body": message.body,
        "time": localtime(message.created_at),
        "datetime": message.created_at.isoformat(),
    }


def _state(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "status": message.status,
        "status_name": status_name(message.status),
        "error": message.error or "",
    }
