"""The settings page: keywords and their replies, sending hours, caps. Each form
saves one group of settings; the daemon reads them again within a minute."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from smsbox import account_settings
from smsbox.quotas import current_quotas
from smsbox.refusals import Refusal
from smsbox.sending_window import WEEKDAYS
from web.admin import admin_required, bp
from web.admin.settings_forms import (
    WEEKDAY_LABELS,
    CapsForm,
    HoursForm,
    KeywordsForm,
    typed_hours,
)
from web.db import get_session
from web.i18n import reason


def _forms() -> tuple[KeywordsForm, HoursForm, CapsForm]:
    return KeywordsForm(prefix="keywords"), HoursForm(prefix="hours"), CapsForm(prefix="caps")


@bp.route("/settings")
@admin_required
def settings() -> ResponseReturnValue:
    keywords, hours, caps = _forms()
    session = get_session()
    keywords.fill(account_settings.keyword_rules(session))
    window = account_settings.sending_window(session)
    hours.fill(window)
    caps.fill(current_quotas(session))
    return _page(keywords, hours, caps, window.hours)


@bp.route("/settings/<group>", methods=["POST"])
@admin_required
def save_settings(group: str) -> ResponseReturnValue:
    keywords, hours, caps = _forms()
    session = get_session()
    typed = (
        typed_hours(request.form)
        if group == "hours"
        else account_settings.sending_window(session).hours
    )
    chosen = {"keywords": keywords, "hours": hours, "caps": caps}.get(group)
    if chosen is None:
        return _page(keywords, hours, caps, typed), 404
    # The forms not posted show what is stored.
    for other in (keywords, hours, caps):
        if other is not chosen:
            _refill(other)
    error = None
    if chosen.validate_on_submit():
        try:
            key, value = _settings_of(chosen, typed)
        except Refusal as refused:
            error = reason(refused)
        else:
            account_settings.save(session, key, value, current_user.actor)
            session.commit()
            flash(gettext("Settings saved: the daemon applies them within a minute."), "success")
            return redirect(url_for("admin.settings", _anchor=group))
    return _page(keywords, hours, caps, typed, error=(group, error)), 400


def _settings_of(form, typed_hours_value):
    if isinstance(form, KeywordsForm):
        return account_settings.KEYWORDS, form.rules()
    if isinstance(form, HoursForm):
        return account_settings.SENDING_WINDOW, form.window(typed_hours_value)
    return account_settings.QUOTAS, form.quotas()


def _refill(form) -> None:
    session = get_session()
    if isinstance(form, KeywordsForm):
        form.fill(account_settings.keyword_rules(session))
    elif isinstance(form, HoursForm):
        form.fill(account_settings.sending_window(session))
    else:
        form.fill(current_quotas(session))


def _page(keywords, hours, caps, weekday_hours, error=(None, None)) -> str:
    days = [
        (day, label, window or ("", ""))
        for day, label, window in zip(WEEKDAYS, WEEKDAY_LABELS, weekday_hours, strict=True)
    ]
    return render_template(
        "admin/settings.html",
        title=gettext("Settings"),
        keywords=keywords,
        hours=hours,
        caps=caps,
        days=days,
        error_group=error[0],
        error=error[1],
    )
