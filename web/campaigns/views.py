from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from smsbox.campaigns.store import (
    COUNTED,
    CampaignRefused,
    Progress,
    cancel_campaign,
    list_campaigns,
    progress,
)
from smsbox.contacts.suggestions import suggest
from web.db import get_session
from web.i18n import reason

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns", template_folder="templates")

# Past a 64-bit integer no id names a campaign: the route says 404 before any query.
CAMPAIGN = "<int(max=9223372036854775807):campaign_id>"
PAGE = 50


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    before = request.args.get("before", "")
    if before and not (before.isascii() and before.isdigit() and len(before) < 19):
        page = render_template(
            "error.html",
            title=gettext("Campaigns"),
            reason=gettext("This page link is out of date: go back to the first page."),
        )
        return page, 400
    campaigns = list_campaigns(get_session(), before=int(before) if before else None, limit=PAGE)
    return render_template(
        "campaigns/index.html",
        title=gettext("Campaigns"),
        campaigns=campaigns,
        older=campaigns[-1].id if len(campaigns) == PAGE else None,
    )


@bp.route(f"/{CAMPAIGN}")
@login_required
def show(campaign_id: int) -> ResponseReturnValue:
    shown = progress(get_session(), campaign_id)
    return render_template(
        "campaigns/show.html",
        title=shown.campaign.name,
        shown=shown,
        states=COUNTED,
    )


@bp.route(f"/{CAMPAIGN}/progress")
@login_required
def progress_json(campaign_id: int) -> ResponseReturnValue:
    """The counts the page polls: a GET that changes nothing, so no CSRF token."""
    shown = progress(get_session(), campaign_id)
    return _as_json(shown)


def _as_json(shown: Progress) -> dict[str, object]:
    return {
        "id": shown.campaign.id,
        "state": shown.campaign.state,
        "counts": {str(status): count for status, count in shown.counts.items()},
        "finished": shown.finished,
    }


@bp.route(f"/{CAMPAIGN}/cancel", methods=["POST"])
@login_required
def cancel(campaign_id: int) -> ResponseReturnValue:
    session = get_session()
    cancelled = cancel_campaign(session, campaign_id, current_user.actor)
    session.commit()
    flash(
        gettext("%(count)s waiting message(s) cancelled.", count=cancelled),
        "success",
    )
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.errorhandler(CampaignRefused)
def _no_campaign(error: CampaignRefused) -> ResponseReturnValue:
    page = render_template("error.html", title=gettext("Page not found"), reason=reason(error))
    return page, 404


@bp.route("/suggest")
@login_required
def suggest_recipients() -> ResponseReturnValue:
    """The send form's type-ahead: contacts and groups matching `q` (a GET that changes
    nothing; the answer is JSON, escaped by the script that shows it)."""
    found = suggest(get_session(), request.args.get("q", ""))
    return {
        "contacts": [{"name": name, "number": number} for name, number in found.contacts],
        "groups": [
            {"id": id_, "name": name, "members": members} for id_, name, members in found.groups
        ],
    }
