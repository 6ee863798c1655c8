"""The settings page: the account, messages, keywords and their replies, sending
hours, caps. Each form saves one group of settings; the daemon reads them again
within a minute, the pages at their next request."""

from __future__ import annotations

import dataclasses
import zoneinfo
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from smsbox import account_details, account_settings
from smsbox.config import Config
from smsbox.message_settings import message_settings
from smsbox.quotas import current_quotas
from smsbox.refusals import Refusal
from smsbox.sending_window import WEEKDAYS
from web.admin import admin_required, bp
from web.admin.settings_forms import (
    AccountForm,
    CapsForm,
    HoursForm,
    KeywordsForm,
    MessagesForm,
    typed_hours,
)
from web.db import get_config, get_session
from web.i18n import reason
from web.i18n.values import WEEKDAY_LABELS

FORMS = {
    "account": AccountForm,
    "messages": MessagesForm,
    "keywords": KeywordsForm,
    "hours": HoursForm,
    "caps": CapsForm,
}


def _in_force(session: Session, config: Config) -> dict[str, Any]:
    """Each group's settings as they apply now: the configuration's defaults filled in."""
    messages = message_settings(session)
    return {
        "account": account_details.effective(session, config),
        "messages": dataclasses.replace(
            messages, validity_hours=messages.validity_hours or config.messaging.validity_hours
        ),
        "keywords": account_settings.keyword_rules(session),
        "hours": account_settings.sending_window(session),
        "caps": current_quotas(session),
    }


@bp.route("/settings")
@admin_required
def settings() -> ResponseReturnValue:
    forms = {group: form(prefix=group) for group, form in FORMS.items()}
    current = _in_force(get_session(), get_config())
    for group, form in forms.items():
        form.fill(current[group])
    return _page(forms, current["hours"].hours)


@bp.route("/settings/<group>", methods=["POST"])
@admin_required
def save_settings(group: str) -> ResponseReturnValue:
    session = get_session()
    forms = {name: form(prefix=name) for name, form in FORMS.items()}
    current = _in_force(session, get_config())
    # The forms not posted show what is stored.
    for name, form in forms.items():
        if name != group:
            form.fill(current[name])
    chosen = forms.get(group)
    typed = typed_hours(request.form) if group == "hours" else current["hours"].hours
    if chosen is None:
        return _page(forms, typed), 404
    error = None
    if chosen.validate_on_submit():
        try:
            value = chosen.settings(request.form)
        except Refusal as refused:
            error = reason(refused)
        else:
            account_settings.save(session, chosen.KEY, value, current_user.actor)
            session.commit()
            flash(gettext("Settings saved: the daemon applies them within a minute."), "success")
            return redirect(url_for("admin.settings", _anchor=group))
    return _page(forms, typed, error=(group, error)), 400


def _page(forms, weekday_hours, error=(None, None)) -> str:
    days = [
        (day, label, window or ("", ""))
        for day, label, window in zip(WEEKDAYS, WEEKDAY_LABELS, weekday_hours, strict=True)
    ]
    return render_template(
        "admin/settings.html",
        title=gettext("Settings"),
        days=days,
        timezones=sorted(zoneinfo.available_timezones()),
        error_group=error[0],
        error=error[1],
        **forms,
    )
