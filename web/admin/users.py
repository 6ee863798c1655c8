"""The users page: admins add accounts, set each one's role, disable and enable them,
and reset passwords (a new one, shown once)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from smsbox import activity
from smsbox.activity import Action
from smsbox.models import User
from smsbox.users import (
    LANGUAGES,
    UserError,
    create_user,
    generate_password,
    list_users,
    set_disabled,
    set_password,
    set_role,
)
from web.admin import admin_required, bp
from web.db import get_session
from web.i18n import reason


class AddUserForm(FlaskForm):
    name = StringField(_l("User name"), validators=[DataRequired(_l("Enter a user name."))])
    admin = BooleanField(_l("Administrator (manages users, settings and the STOP list)"))
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        default=LANGUAGES[0],
    )
    submit = SubmitField(_l("Add the user"))


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users() -> ResponseReturnValue:
    form = AddUserForm()
    session = get_session()
    if form.validate_on_submit():
        password = generate_password()
        try:
            added = create_user(
                session,
                form.name.data or "",
                password,
                admin=form.admin.data,
                language=form.language.data or "",
            )
        except UserError as error:
            form.name.errors = [*form.name.errors, reason(error)]
        else:
            activity.record(
                session, Action.USER_CREATED, current_user.actor, added.name, admin=added.is_admin
            )
            session.commit()
            return _password_page(added, password)
    page = render_template(
        "admin/users.html", title=gettext("Users"), form=form, users=list_users(session)
    )
    return page, 400 if form.is_submitted() else 200


@bp.route("/users/<int:user_id>", methods=["POST"])
@admin_required
def change_user(user_id: int) -> ResponseReturnValue:
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404, gettext("There is no such user."))
    change = request.form.get("change", "")
    try:
        if change in ("admin", "operator"):
            set_role(session, user, admin=change == "admin")
        elif change in ("disable", "enable"):
            set_disabled(session, user, disabled=change == "disable")
        elif change == "reset":
            password = generate_password()
            set_password(session, user.name, password)
            activity.record(session, Action.PASSWORD_RESET, current_user.actor, user.name)
            session.commit()
            return _password_page(user, password)
        else:
            abort(400, gettext("There is no such change."))
    except UserError as error:
        session.rollback()
        flash(reason(error), "error")
        return redirect(url_for("admin.users")), 303
    activity.record(session, Action.USER_CHANGED, current_user.actor, user.name, change=change)
    session.commit()
    flash(gettext("%(name)s: done.", name=user.name), "success")
    return redirect(url_for("admin.users"))


def _password_page(user: User, password: str) -> str:
    return render_template(
        "admin/password.html", title=gettext("New password"), user=user, password=password
    )
