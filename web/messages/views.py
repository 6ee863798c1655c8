from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

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
