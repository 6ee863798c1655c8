"""The New SMS form sent to groups: a campaign (smsbox.campaigns), its refusals shown
next to the text."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from smsbox.campaigns.recipients import group_reach
from smsbox.campaigns.store import CampaignRequest, send_campaign
from smsbox.models import Campaign, Group
from smsbox.quotas import refusal_logged
from smsbox.refusals import Refusal
from smsbox.wakeup import notify
from web.db import get_config, get_session, get_timezone
from web.i18n import reason

if TYPE_CHECKING:  # web.messages imports this module: the form is only a type here
    from web.messages.forms import SendForm


def group_choices() -> list[tuple[int, str]]:
    """The groups as the form offers them, each with what a send to it skips."""
    choices = []
    for group in group_reach(get_session()):
        members = ngettext("%(num)d member", "%(num)d members", group.members)
        if group.opted_out:
            skipped = ngettext(
                "%(num)d on the STOP list will be skipped",
                "%(num)d on the STOP list will be skipped",
                group.opted_out,
            )
            members = f"{members}, {skipped}"
        choices.append(
            (group.id, gettext("%(name)s (%(members)s)", name=group.name, members=members))
        )
    return choices


def queue_campaign_form(form: SendForm) -> Campaign | None:
    """The checked form's campaign, committed, the daemon woken; None when refused,
    the reason next to the text."""
    config = get_config()
    session = get_session()
    groups = list(session.scalars(select(Group).where(Group.id.in_(form.groups.data))))
    request = CampaignRequest(
        form.body.data or "",
        groups=sorted(groups, key=lambda group: form.groups.data.index(group.id)),
        numbers=list((form.to_numbers or {}).values()),
        send_at=form.scheduled_at,
        transactional=form.transactional.data,
        created_by_id=current_user.id,
    )
    try:
        with refusal_logged(session, current_user.actor, request.name or None):
            campaign = send_campaign(
                session,
                request,
                current_user.actor,
                default_region=config.messaging.default_region,
                zone=ZoneInfo(get_timezone()),
            )
    except Refusal as error:
        session.rollback()
        form.body.errors = [*form.body.errors, reason(error)]
        return None
    session.commit()
    if form.scheduled_at is None:
        notify(config)
    return campaign
