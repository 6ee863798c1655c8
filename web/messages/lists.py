"""The sent, received and unread lists, and what staff do to the messages they tick."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required

from smsbox import activity
from smsbox.activity import Action
from smsbox.message_actions import SelectionRefused, delete_messages, find_chosen, mark_read
from smsbox.message_lists import (
    OUTBOUND_STATUSES,
    PAGE_SIZES,
    Box,
    Cursor,
    ListQuery,
    ListRefused,
    Toward,
    list_page,
    parse_day,
    parse_page_size,
    parse_status,
)
from web.auth.login import is_local_path
from web.db import get_config, get_session, get_timezone
from web.filters import status_name
from web.i18n import reason
from web.messages.views import bp

# Longer texts show their start, the rest one click away (a <details>, no script).
PREVIEW_LENGTH = 80
# The query string of a list, kept by its pager links.
FILTERS = ("q", "status", "from", "to", "size")
TITLES = {
    Box.SENT: lazy_gettext("Sent"),
    Box.RECEIVED: lazy_gettext("Received"),
    Box.UNREAD: lazy_gettext("Unread"),
}


@bp.route("/sent")
@login_required
def sent() -> ResponseReturnValue:
    return _list(Box.SENT)


@bp.route("/received")
@login_required
def received() -> ResponseReturnValue:
    return _list(Box.RECEIVED)


@bp.route("/unread")
@login_required
def unread() -> ResponseReturnValue:
    return _list(Box.UNREAD)


def _list(box: Box) -> ResponseReturnValue:
    filters = {name: request.args.get(name, "") for name in FILTERS}
    messaging = get_config().messaging
    try:
        query = _query(box, filters)
        page = list_page(
            get_session(),
            query,
            timezone=get_timezone(),
            default_region=messaging.default_region,
        )
    except ListRefused as error:
        return _render_list(box, filters, error=reason(error)), 400
    return _render_list(box, filters, page=page, query=query)


def _query(box: Box, filters: dict[str, str]) -> ListQuery:
    older, newer = request.args.get("older"), request.args.get("newer")
    cursor, toward = None, Toward.OLDER
    if newer is not None:
        cursor, toward = Cursor.parse(newer), Toward.NEWER
    elif older is not None:
        cursor = Cursor.parse(older)
    return ListQuery(
        box,
        page_size=parse_page_size(filters["size"]),
        search=filters["q"],
        status=parse_status(box, filters["status"]),
        since=parse_day(filters["from"]),
        until=parse_day(filters["to"]),
        cursor=cursor,
        toward=toward,
    )


def _render_list(box: Box, filters: dict[str, str], **shown: object) -> str:
    kept = {name: value for name, value in filters.items() if value}
    return render_template(
        "messages/list.html",
        title=str(TITLES[box]),
        box=str(box),
        endpoint=f"messages.{box}",
        filters=filters,
        kept=kept,
        filtered=any(name != "size" for name in kept),
        page_sizes=PAGE_SIZES,
        statuses=[(status, status_name(status)) for status in OUTBOUND_STATUSES]
        if box is Box.SENT
        else [],
        preview_length=PREVIEW_LENGTH,
        **shown,
    )


@bp.route("/selection", methods=["POST"])
@login_required
def selection() -> ResponseReturnValue:
    """The buttons under a list: mark read or unread at once; delete asks first."""
    ids, back = _chosen_ids(), _back()
    if not ids:
        flash(gettext("Tick at least one message first."), "error")
        return redirect(back)
    action = request.form.get("action")
    session = get_session()
    if action in ("read", "unread"):
        changed = mark_read(session, ids, read=action == "read")
        session.commit()
        if action == "read":
            text = ngettext(
                "%(num)d message marked read.", "%(num)d messages marked read.", changed
            )
        else:
            text = ngettext(
                "%(num)d message marked unread.", "%(num)d messages marked unread.", changed
            )
        flash(text, "success")
        return redirect(back)
    if action != "delete":
        abort(400, gettext("Choose what to do with the ticked messages."))
    messages = find_chosen(session, ids)
    if not messages:
        abort(404, gettext("These messages do not exist (any more)."))
    page = render_template(
        "messages/confirm_delete.html",
        title=gettext("Delete messages"),
        messages=messages,
        back=back,
        preview_length=PREVIEW_LENGTH,
    )
    return page


@bp.route("/delete", methods=["POST"])
@login_required
def delete() -> ResponseReturnValue:
    ids, back = _chosen_ids(), _back()
    if not ids:
        abort(400, gettext("No message was chosen."))
    session = get_session()
    deletion = delete_messages(session, ids)
    if deletion.deleted:
        activity.record(
            session, Action.MESSAGES_DELETED, current_user.actor, deleted=deletion.deleted
        )
    session.commit()
    if not deletion.deleted and not deletion.kept:
        abort(404, gettext("These messages do not exist (any more)."))
    flash(
        ngettext("%(num)d message deleted.", "%(num)d messages deleted.", deletion.deleted),
        "success",
    )
    if deletion.kept:
        flash(
            ngettext(
                "%(num)d message kept: it is being sent or still being read off a SIM; "
                "try again in a moment.",
                "%(num)d messages kept: they are being sent or still being read off a SIM; "
                "try again in a moment.",
                len(deletion.kept),
            ),
            "error",
        )
    return redirect(back)


@bp.errorhandler(SelectionRefused)
def _refused_selection(error: SelectionRefused) -> ResponseReturnValue:
    return render_template(
        "error.html", title=gettext("Request refused"), reason=reason(error)
    ), 400


def _chosen_ids() -> list[int]:
    values = request.form.getlist("id")
    if not all(value.isascii() and value.isdigit() for value in values):
        abort(400, gettext("These are not messages from a list."))
    # Past 18 digits no id fits in the database's 64-bit integers: no such message.
    return sorted({int(value) for value in values if len(value) <= 18})


def _back() -> str:
    back = request.form.get("back")
    return back if back and is_local_path(back) else url_for("messages.received")
