from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from smsbox.users import authenticate, end_sessions
from web.auth.forms import LoginForm
from web.auth.login import StaffUser, is_local_path
from web.db import get_session

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("messages.send"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_session(), form.name.data or "", form.password.data or "")
        if user is not None:
            login_user(StaffUser.from_model(user))
            target = request.args.get("next")
            return redirect(target if is_local_path(target) else url_for("messages.send"))
        flash("Wrong user name or password.", "error")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", title="Log in", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # On every device: a cookie-only session has no server-side entry to end alone.
        end_sessions(get_session(), current_user.id)
        get_session().commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
