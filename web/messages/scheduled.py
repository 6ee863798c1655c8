"""The messages waiting for their time: the list, changing one, cancelling one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from smsbox import activity
from smsbox.activity import Action
from smsbox.message_lists import PAGE_SIZES, Cursor, ListRefused, parse_page_size
from smsbox.scheduled import (
    NotScheduled,
    cancel,
    list_scheduled,
    local_input,
    reschedule,
    scheduled_message,
)
from smsbox.sms_length import measure
from web.db import get_session, get_timezone
from web.filters import localtime
from web.i18n import reason
from web.messages.forms import ScheduledForm
from web.messages.views import bp, counter_text

PREVIEW_LENGTH = 80
# Past a 64-bit integer no id names a message: the route says 404 before any query.
MESSAGE = "<int(max=9223372036854775807):message_id>"


@bp.route("/scheduled")
@login_required
def scheduled() -> ResponseReturnValue:
    size, after = request.args.get("size", ""), request.args.get("after")
    try:
        page = list_scheduled(
            get_session(),
            page_size=parse_page_size(size),
            after=Cursor.parse(after) if after is not None else None,
        )
    except ListRefused as error:
        return _render_list(size, error=reason(error)), 400
    return _render_list(size, page=page, paged=after is not None)


def _render_list(size: str, **shown: object) -> str:
    return render_template(
        "messages/scheduled.html",
        title=gettext("Scheduled"),
        size=size,
        page_sizes=PAGE_SIZES,
        preview_length=PREVIEW_LENGTH,
        timezone=get_timezone(),
        **shown,
    )


@bp.route(f"/scheduled/{MESSAGE}", methods=["GET", "POST"])
@login_required
def edit_scheduled(message_id: int) -> ResponseReturnValue:
    session = get_session()
    message = scheduled_message(session, message_id)
    form = ScheduledForm(obj=message)
    if not form.is_submitted():
        form.send_at.data = local_input(message.scheduled_at, get_timezone())
    if form.validate_on_submit():
        assert form.scheduled_at is not None  # the field is required
        reschedule(session, message_id, form.body.data or "", form.scheduled_at)
        session.commit()
        flash(
            gettext(
                "Message to %(number)s changed: it leaves on %(time)s.",
                number=message.number,
                time=localtime(form.scheduled_at),
            ),
            "success",
        )
        return redirect(url_for("messages.scheduled"))
    page = render_template(
        "messages/edit_scheduled.html",
        title=gettext("Change a scheduled message"),
        message=message,
        form=form,
        timezone=get_timezone(),
        counter=counter_text(measure(form.body.data or "")),
    )
    return page, 400 if form.is_submitted() else 200


@bp.route(f"/scheduled/{MESSAGE}/cancel", methods=["GET", "POST"])
@login_required
def cancel_scheduled(message_id: int) -> ResponseReturnValue:
    """GET asks to confirm; POST (with its CSRF token) cancels."""
    session = get_session()
    if request.method == "GET":
        return render_template(
            "messages/cancel_scheduled.html",
            title=gettext("Cancel a scheduled message"),
            message=scheduled_message(session, message_id),
            preview_length=PREVIEW_LENGTH,
        )
    # Its time may have come since the page was shown: no modem took it yet, it goes.
    message = cancel(session, message_id)
    activity.record(
        session, Action.MESSAGE_CANCELLED, current_user.actor, message.number, message=message_id
    )
    session.commit()
    flash(gettext("Message to %(number)s cancelled.", number=message.number), "success")
    return redirect(url_for("messages.scheduled"))


@bp.errorhandler(NotScheduled)
def _not_scheduled(error: NotScheduled) -> ResponseReturnValue:
    """An id that names no scheduled message (404), or one that left or was cancelled
    meanwhile, by the daemon or another person (409)."""
    title = gettext("Page not found") if error.gone else gettext("No longer scheduled")
    page = render_template("error.html", title=title, reason=reason(error))
    return page, 404 if error.gone else 409
