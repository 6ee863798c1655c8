"""The activity log page: who did what, newest first, searched and paged."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext

from smsbox.activity import Action, details_of, entries
from smsbox.message_lists import Cursor, ListRefused
from web.admin import admin_required, bp
from web.db import get_session
from web.i18n import reason

PAGE_SIZE = 50
ACTION_NAMES = {
    Action.LOGIN: lazy_gettext("logged in"),
    Action.LOGIN_FAILED: lazy_gettext("login failed"),
    Action.LOGIN_LOCKED: lazy_gettext("login refused: locked out"),
    Action.LOGOUT: lazy_gettext("logged out"),
    Action.USER_CREATED: lazy_gettext("user added"),
    Action.USER_CHANGED: lazy_gettext("user changed"),
    Action.PASSWORD_RESET: lazy_gettext("password reset"),
    Action.PASSWORD_CHANGED: lazy_gettext("own password changed"),
    Action.SETTINGS_CHANGED: lazy_gettext("settings changed"),
    Action.MESSAGES_QUEUED: lazy_gettext("SMS queued"),
    Action.MESSAGES_DELETED: lazy_gettext("messages deleted"),
    Action.MESSAGE_CANCELLED: lazy_gettext("message cancelled"),
    Action.SEND_REFUSED: lazy_gettext("send refused by a cap"),
    Action.CAMPAIGN_CANCELLED: lazy_gettext("campaign cancelled"),
    Action.OPTOUT_ADDED: lazy_gettext("added to the STOP list"),
    Action.OPTOUT_REMOVED: lazy_gettext("removed from the STOP list"),
    Action.CONTACTS_IMPORTED: lazy_gettext("contacts imported"),
    Action.CONTACTS_EXPORTED: lazy_gettext("contacts exported"),
    Action.KEYWORD_TAGGED: lazy_gettext("put in a group by a keyword"),
    Action.LANGUAGE_CHANGED: lazy_gettext("own language changed"),
    Action.APIKEY_CREATED: lazy_gettext("API key created"),
    Action.APIKEY_REVOKED: lazy_gettext("API key revoked"),
    Action.WEBHOOK_ADDED: lazy_gettext("webhook added"),
    Action.WEBHOOK_CHANGED: lazy_gettext("webhook changed"),
    Action.WEBHOOK_REMOVED: lazy_gettext("webhook removed"),
    Action.API_REQUEST: lazy_gettext("API request"),
    Action.ACCESS_REFUSED: lazy_gettext("administrator's page refused"),
}


@bp.route("/activity")
@admin_required
def activity_log() -> ResponseReturnValue:
    search = request.args.get("q", "")
    chosen = request.args.get("action") or None
    if chosen is not None and chosen not in ACTION_NAMES:
        abort(400, gettext("There is no such kind of entry."))
    try:
        older = Cursor.parse(request.args["older"]) if "older" in request.args else None
    except ListRefused as error:
        abort(400, reason(error))
    found = entries(
        get_session(),
        action=None if chosen is None else Action(chosen),
        search=search[:200],
        older_than=older,
        limit=PAGE_SIZE,
    )
    last = found[-1] if len(found) == PAGE_SIZE else None
    return render_template(
        "admin/activity.html",
        title=gettext("Activity log"),
        rows=[(entry, details_of(entry)) for entry in found],
        action_names=ACTION_NAMES,
        chosen=chosen,
        search=search,
        older=None if last is None else str(Cursor(last.at, last.id)),
    )
