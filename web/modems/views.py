from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

from smsbox.dashboard import is_online, modem_cards, signal_bars
from smsbox.modems import find_modem, recent_errors
from web.db import get_session

bp = Blueprint("modems", __name__, url_prefix="/modems", template_folder="templates")


@bp.route("")
@login_required
def index() -> ResponseReturnValue:
    cards = modem_cards(get_session(), datetime.now(UTC))
    return render_template("modems/index.html", title=gettext("Modems"), cards=cards)


@bp.route("/<int:modem_id>")
@login_required
def detail(modem_id: int) -> ResponseReturnValue:
    session = get_session()
    modem = find_modem(session, modem_id)
    if modem is None:
        abort(404, description=gettext("There is no modem number %(id)s.", id=modem_id))
    now = datetime.now(UTC)
    return render_template(
        "modems/detail.html",
        title=modem.name,
        modem=modem,
        online=is_online(modem, now),
        bars=signal_bars(modem.signal_quality),
        rate_limited=modem.rate_limited_until is not None and modem.rate_limited_until > now,
        errors=recent_errors(session, modem.id),
    )
