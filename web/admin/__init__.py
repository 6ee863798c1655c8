"""The administrators' pages: settings, the STOP list, the activity log. Every route
here checks the role on the server: an operator gets 403 whatever link it follows,
and the attempt goes to the activity log."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from smsbox.activity import Action, record
from web.db import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

P = ParamSpec("P")
R = TypeVar("R")


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    @login_required
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_admin:
            # Nothing else is pending in this request: the entry is committed alone.
            session = get_session()
            record(
                session,
                Action.ACCESS_REFUSED,
                current_user.actor,
                f"{request.method} {request.path}"[:200],
            )
            session.commit()
            abort(403)
        return view(*args, **kwargs)

    return checked


from web.admin import (  # noqa: E402,F401  (their routes join it)
    activity,
    apikeys,
    optouts,
    settings,
    users,
    webhooks,
)
