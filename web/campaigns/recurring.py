"""Recurring campaigns: the list, with pause, resume and delete, and the form that adds
one (smsbox.campaigns.recurring)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from smsbox.campaigns.recurring import (
    Frequency,
    Rule,
    add_recurrence,
    list_recurrences,
    remove_recurrence,
    set_paused,
)
from smsbox.models import Group, RecurringCampaign
from smsbox.numbers import InvalidRecipients, recipients
from smsbox.outbox import MAX_BODY_LENGTH
from smsbox.refusals import Refusal
from web.campaigns.sending import group_choices
from web.campaigns.views import CAMPAIGN, bp
from web.db import get_config, get_session, get_timezone
from web.i18n import reason

WEEKDAYS = (
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
)


def _checkboxes(label, choices=()):  # type: ignore[no-untyped-def]
    return SelectMultipleField(
        label,
        choices=list(choices),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class RecurrenceForm(FlaskForm):
    name = StringField(_l("Name (optional)"), render_kw={"maxlength": 200})
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("The message is empty."))],
        render_kw={"maxlength": MAX_BODY_LENGTH, "rows": 4},
    )
    groups = _checkboxes(_l("Groups"))
    numbers = StringField(_l("Numbers (optional, separated by commas)"))
    frequency = SelectField(
        _l("Repeat"),
        choices=[
            (Frequency.DAILY.value, _l("Every day")),
            (Frequency.WEEKLY.value, _l("Every week, on the days ticked")),
            (Frequency.MONTHLY.value, _l("Every month, on the day given")),
        ],
    )
    weekdays = _checkboxes(_l("Days of the week"), WEEKDAYS)
    month_day = IntegerField(_l("Day of the month"), validators=[Optional()])
    at = TimeField(_l("Time"), validators=[DataRequired(_l("Enter the time to send it."))])
    until = DateField(_l("Last day (optional)"), validators=[Optional()])
    transactional = BooleanField(_l("Transactional (a reminder, a code): goes out at any hour"))
    submit = SubmitField(_l("Add"))


@bp.route("/recurring", methods=["GET", "POST"])
@login_required
def recurring() -> ResponseReturnValue:
    form = RecurrenceForm()
    form.groups.choices = group_choices()
    if form.validate_on_submit() and _add(form):
        flash(gettext("Recurring campaign added."), "success")
        return redirect(url_for("campaigns.recurring"))
    zone = get_timezone()
    recurrences = list_recurrences(get_session())
    page = render_template(
        "campaigns/recurring.html",
        title=gettext("Recurring campaigns"),
        form=form,
        recurrences=recurrences,
        schedules={recurrence.id: _schedule(recurrence) for recurrence in recurrences},
        timezone=zone,
    )
    return page, 400 if form.is_submitted() else 200


def _schedule(recurrence: RecurringCampaign) -> str:
    """When it goes, in words."""
    at = recurrence.time_of_day
    if recurrence.frequency == Frequency.WEEKLY:
        names = dict(WEEKDAYS)
        days = ", ".join(str(names[day]) for day in recurrence.weekdays)
        said = gettext("weekly on %(days)s at %(time)s", days=days, time=at)
    elif recurrence.frequency == Frequency.MONTHLY:
        said = gettext("monthly on day %(day)s at %(time)s", day=recurrence.month_day, time=at)
    else:
        said = gettext("daily at %(time)s", time=at)
    if recurrence.ends_on is not None:
        said += " " + gettext("until %(day)s", day=recurrence.ends_on.isoformat())
    return said


def _add(form: RecurrenceForm) -> bool:
    """Store the form's recurrence, or put the reason on the form and return False."""
    config = get_config()
    session = get_session()
    try:
        numbers = (
            list(recipients([form.numbers.data], config.messaging.default_region).values())
            if (form.numbers.data or "").strip()
            else []
        )
    except InvalidRecipients as refused:
        form.numbers.errors = [reason(refusal) for refusal in refused.refusals]
        return False
    until: date | None = form.until.data
    try:
        rule = Rule(
            Frequency(form.frequency.data),
            form.at.data,
            tuple(form.weekdays.data) if form.frequency.data == Frequency.WEEKLY else (),
            form.month_day.data if form.frequency.data == Frequency.MONTHLY else None,
            until,
        )
        groups = list(session.scalars(select(Group).where(Group.id.in_(form.groups.data))))
        add_recurrence(
            session,
            text=(form.body.data or "").replace("\r\n", "\n"),
            rule=rule,
            groups=groups,
            numbers=numbers,
            zone=ZoneInfo(get_timezone()),
            default_region=config.messaging.default_region,
            transactional=form.transactional.data,
            name=form.name.data or "",
            created_by_id=current_user.id,
        )
    except Refusal as refused:
        session.rollback()
        form.body.errors = [*form.body.errors, reason(refused)]
        return False
    session.commit()
    return True


@bp.route(f"/recurring/{CAMPAIGN}/<any(pause, resume, delete):action>", methods=["POST"])
@login_required
def change_recurrence(campaign_id: int, action: str) -> ResponseReturnValue:
    session = get_session()
    if action == "delete":
        remove_recurrence(session, campaign_id)
        message = gettext("Recurring campaign deleted; the campaigns it sent stay.")
    else:
        zone = ZoneInfo(get_timezone())
        set_paused(session, campaign_id, action == "pause", zone)
        message = (
            gettext("Recurring campaign paused.")
            if action == "pause"
            else gettext("Recurring campaign resumed from its next occurrence.")
        )
    session.commit()
    flash(message, "success")
    return redirect(url_for("campaigns.recurring"))
