from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

from smsbox.calls import calls_page
from smsbox.message_lists import PAGE_SIZES, Cursor, ListRefused, parse_page_size
from web.db import get_session
from web.i18n import reason

bp = Blueprint("calls", __name__, template_folder="templates")


@bp.route("/calls")
@login_required
def index() -> ResponseReturnValue:
    size = request.args.get("size", "")
    try:
        older = request.args.get("older")
        page = calls_page(
            get_session(),
            page_size=parse_page_size(size),
            older_than=Cursor.parse(older) if older is not None else None,
        )
    except ListRefused as error:
        return _render(size, error=reason(error)), 400
    return _render(size, page=page)


def _render(size: str, **shown: object) -> str:
    return render_template(
        "calls/index.html",
        title=gettext("Calls"),
        size=size,
        page_sizes=PAGE_SIZES,
        paged="older" in request.args,
        **shown,
    )
