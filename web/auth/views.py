from __future__ import annotations

import math
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user

from smsbox import activity
from smsbox.activity import Action
from smsbox.logins import try_login
from smsbox.users import end_sessions
from web.auth.forms import LoginForm
from web.auth.login import StaffUser, is_local_path
from web.db import get_session

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form), 400 if form.is_submitted() else 200
    session = get_session()
    attempt = try_login(
        session,
        form.name.data or "",
        form.password.data or "",
        address=request.remote_addr or "",
    )
    session.commit()
    if attempt.user is not None:
        login_user(StaffUser.from_model(attempt.user))
        target = request.args.get("next")
        return redirect(target if is_local_path(target) else url_for("dashboard.index"))
    if attempt.locked_for is not None:
        minutes = math.ceil(attempt.locked_for / timedelta(minutes=1))
        flash(
            ngettext(
                "Too many attempts: try again in %(num)d minute.",
                "Too many attempts: try again in %(num)d minutes.",
                minutes,
            ),
            "error",
        )
        seconds = math.ceil(attempt.locked_for.total_seconds())
        return _login_page(form), 429, {"Retry-After": str(seconds)}
    flash(gettext("Wrong user name or password."), "error")
    return _login_page(form), 400


def _login_page(form: LoginForm) -> str:
    return render_template("auth/login.html", title=gettext("Log in"), form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # On every device: a cookie-only session has no server-side entry to end alone.
        end_sessions(get_session(), current_user.id)
        activity.record(get_session(), Action.LOGOUT, current_user.actor)
        get_session().commit()
    logout_user()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("auth.login"))
