"""The API keys page: admins create keys (shown once), see when each was last used,
and revoke them."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from smsbox import activity, apikeys
from smsbox.activity import Action
from smsbox.apikeys import ApiKeyError
from smsbox.users import list_users
from web.admin import admin_required, bp
from web.db import get_config, get_session
from web.i18n import reason

SCOPE_NAMES = {
    "read": _l("read: lists and messages"),
    "send": _l("send: read, and queue messages"),
    "admin": _l("admin: everything, webhooks too"),
}


class CreateKeyForm(FlaskForm):
    name = StringField(
        _l("Name (what or who uses it)"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=64)],
    )
    scope = SelectField(
        _l("Scope"),
        choices=[SelectChoice(scope, label) for scope, label in SCOPE_NAMES.items()],
        default="send",
    )
    expires = DateField(_l("Expires on (optional)"), validators=[Optional()])
    user = SelectField(_l("Acts for"), validate_choice=True)
    submit = SubmitField(_l("Create the key"))


class RevokeForm(FlaskForm):
    name = HiddenField(validators=[DataRequired()])


@bp.route("/apikeys", methods=["GET", "POST"])
@admin_required
def api_keys() -> ResponseReturnValue:
    session = get_session()
    form = CreateKeyForm()
    form.user.choices = [SelectChoice("", gettext("nobody (a service)"))] + [
        SelectChoice(user.name, user.name) for user in list_users(session)
    ]
    created = None
    if form.validate_on_submit():
        zone = ZoneInfo(get_config().messaging.timezone)
        expires = (
            datetime.combine(form.expires.data, time(), tzinfo=zone) if form.expires.data else None
        )
        try:
            key, token = apikeys.create_key(
                session,
                form.name.data or "",
                scope=form.scope.data or "send",
                expires_at=expires,
                user_name=form.user.data or None,
            )
        except ApiKeyError as error:
            form.name.errors = [*form.name.errors, reason(error)]
        else:
            activity.record(
                session, Action.APIKEY_CREATED, current_user.actor, key.name, scope=key.scope
            )
            session.commit()
            created = token
    page = render_template(
        "admin/apikeys.html",
        title=gettext("API keys"),
        form=form,
        created=created,
        keys=apikeys.list_keys(session),
        scope_names=SCOPE_NAMES,
    )
    return page, 400 if form.is_submitted() and created is None else 200


@bp.route("/apikeys/revoke", methods=["POST"])
@admin_required
def api_key_revoke() -> ResponseReturnValue:
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form is incomplete."))
    session = get_session()
    try:
        key = apikeys.revoke_key(session, form.name.data or "")
    except ApiKeyError as error:
        abort(404, reason(error))
    activity.record(session, Action.APIKEY_REVOKED, current_user.actor, key.name)
    session.commit()
    flash(gettext("The key %(name)s opens nothing any more.", name=key.name), "success")
    return redirect(url_for("admin.api_keys"))
