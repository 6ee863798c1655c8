from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_required

from smsbox.dashboard import dashboard
from web.dashboard.chart import traffic_chart
from web.db import get_config, get_session

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    figures = dashboard(get_session(), timezone=get_config().messaging.timezone)
    return render_template(
        "dashboard/index.html",
        title=gettext("Dashboard"),
        figures=figures,
        chart=traffic_chart(figures.days),
    )
