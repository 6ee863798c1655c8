"""A person's own account: their password (the language is switched in the header)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from smsbox import activity
from smsbox.activity import Action
from smsbox.users import UserError, authenticate, set_password
from web.auth.login import StaffUser
from web.db import get_session
from web.i18n import reason

bp = Blueprint("account", __name__, template_folder="templates")


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    again = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", _l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change my password"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = PasswordChangeForm()
    session = get_session()
    if form.validate_on_submit():
        if authenticate(session, current_user.name, form.current.data or "") is None:
            form.current.errors = [*form.current.errors, gettext("This is not your password.")]
        else:
            try:
                user = set_password(session, current_user.name, form.new.data or "")
            except UserError as error:
                form.new.errors = [*form.new.errors, reason(error)]
            else:
                activity.record(session, Action.PASSWORD_CHANGED, current_user.actor)
                session.commit()
                # Every other session ends; this one goes on with the new version.
                session.refresh(user)
                login_user(StaffUser.from_model(user))
                flash(gettext("Your password is changed: you are logged out elsewhere."), "success")
                return redirect(url_for("account.account"))
    page = render_template("account/account.html", title=gettext("My account"), form=form)
    return page, 400 if form.is_submitted() else 200
