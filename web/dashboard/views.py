from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from smsbox.dashboard import dashboard
from smsbox.models import utcnow
from smsbox.quotas import Periods, cap_usages, current_quotas
from web.dashboard.chart import traffic_chart
from web.db import get_session, get_timezone

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    session = get_session()
    figures = dashboard(session, timezone=get_timezone())
    periods = Periods.at(utcnow(), ZoneInfo(get_timezone()))
    return render_template(
        "dashboard/index.html",
        title=gettext("Dashboard"),
        figures=figures,
        chart=traffic_chart(figures.days),
        caps=cap_usages(session, current_quotas(session), periods, user_id=current_user.id),
    )
