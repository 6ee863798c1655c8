"""The administrators' pages: settings, the STOP list, the activity log. Every route
here checks the role on the server: an operator gets 403 whatever link it follows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

P = ParamSpec("P")
R = TypeVar("R")


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    @login_required
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_admin:
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
