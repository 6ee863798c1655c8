from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

from smsbox.history import PAGE_SIZE, list_messages
from smsbox.models import Direction
from smsbox.modems import list_modems
from web.db import get_session
from web.messages.forms import SendForm
from web.messages.queueing import queue_typed_message

bp = Blueprint("messages", __name__, url_prefix="/messages", template_folder="templates")


@bp.route("/send", methods=["GET", "POST"])
@login_required
def send() -> ResponseReturnValue:
    form = SendForm()
    if form.validate_on_submit():
        message = queue_typed_message(form.number.data or "", form.body, form.number)
        if message is not None:
            flash(gettext("Message queued for %(number)s.", number=message.number), "success")
            return redirect(url_for("messages.sent"))
    status = 400 if form.is_submitted() else 200
    modems = list_modems(get_session())
    page = render_template("messages/send.html", title=gettext("New SMS"), form=form, modems=modems)
    return page, status


@bp.route("/sent")
@login_required
def sent() -> ResponseReturnValue:
    return _message_list(Direction.OUTBOUND, "messages/sent.html", gettext("Sent"))


@bp.route("/received")
@login_required
def received() -> ResponseReturnValue:
    return _message_list(Direction.INBOUND, "messages/received.html", gettext("Received"))


def _message_list(direction: Direction, template: str, title: str) -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=int), 1)
    messages = list_messages(get_session(), direction, page=page)
    return render_template(
        template,
        title=title,
        messages=messages,
        page=page,
        has_more=len(messages) == PAGE_SIZE,
    )
