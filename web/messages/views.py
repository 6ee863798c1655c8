from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from smsbox.modems import list_modems
from smsbox.numbers import InvalidNumber
from smsbox.outbox import MessageRejected, queue_message
from web.db import get_config, get_session
from web.i18n import reason
from web.messages.forms import SendForm

bp = Blueprint("messages", __name__, url_prefix="/messages", template_folder="templates")


@bp.route("/send", methods=["GET", "POST"])
@login_required
def send() -> ResponseReturnValue:
    form = SendForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            message = queue_message(
                session,
                form.number.data or "",
                form.body.data or "",
                default_region=get_config().messaging.default_region,
                created_by_id=current_user.id,
            )
        except InvalidNumber as error:
            form.number.errors = [*form.number.errors, reason(error)]
        except MessageRejected as error:
            form.body.errors = [*form.body.errors, reason(error)]
        else:
            session.commit()
            flash(gettext("Message queued for %(number)s.", number=message.number), "success")
            return redirect(url_for("messages.sent"))
        session.rollback()
    status = 400 if form.is_submitted() else 200
    modems = list_modems(get_session())
    page = render_template("messages/send.html", title=gettext("New SMS"), form=form, modems=modems)
    return page, status
