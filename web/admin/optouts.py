"""The STOP list page: each opted-out number with when, how (the keyword and what it
said, by hand, imported) and why; an admin adds or removes numbers with a reason
and exports the list as CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, Length

from smsbox import activity, optouts
from smsbox.activity import Action
from smsbox.message_lists import Cursor, ListRefused
from smsbox.numbers import InvalidNumber, to_e164
from smsbox.spreadsheets import as_number, as_text
from web.admin import admin_required, bp
from web.db import get_config, get_session
from web.i18n import reason

PAGE_SIZE = 50


class AddForm(FlaskForm):
    number = TelField(_l("Number"), validators=[DataRequired(_l("Enter a phone number."))])
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    submit = SubmitField(_l("Add to the STOP list"))


class RemoveForm(FlaskForm):
    """Posted from each row of the list, which writes its fields by hand."""

    number = HiddenField(validators=[DataRequired()])
    reason = StringField(validators=[Length(max=500)])


@bp.route("/optouts", methods=["GET", "POST"])
@admin_required
def optout_list() -> ResponseReturnValue:
    form = AddForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            number = to_e164(form.number.data or "", get_config().messaging.default_region)
        except InvalidNumber as error:
            form.number.errors = [*form.number.errors, reason(error)]
        else:
            optouts.opt_out(session, number, reason=form.reason.data or None)
            activity.record(
                session, Action.OPTOUT_ADDED, current_user.actor, number, reason=form.reason.data
            )
            session.commit()
            flash(gettext("%(number)s is on the STOP list.", number=number), "success")
            return redirect(url_for("admin.optout_list"))
    search = request.args.get("q", "")
    try:
        older = Cursor.parse(request.args["older"]) if "older" in request.args else None
    except ListRefused as error:
        abort(400, reason(error))
    rows = optouts.optouts_page(get_session(), older_than=older, search=search, limit=PAGE_SIZE)
    last = rows[-1].entry if len(rows) == PAGE_SIZE else None
    page = render_template(
        "admin/optouts.html",
        title=gettext("STOP list"),
        form=form,
        rows=rows,
        search=search,
        older=None if last is None else str(Cursor(last.created_at, last.id)),
    )
    return page, 400 if form.is_submitted() else 200


@bp.route("/optouts/remove", methods=["POST"])
@admin_required
def optout_remove() -> ResponseReturnValue:
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form is incomplete."))
    session = get_session()
    number = form.number.data or ""
    if not optouts.opt_in(session, number):
        abort(404, gettext("%(number)s is not on the STOP list.", number=number))
    activity.record(
        session, Action.OPTOUT_REMOVED, current_user.actor, number, reason=form.reason.data
    )
    session.commit()
    flash(gettext("%(number)s was taken off the STOP list.", number=number), "success")
    return redirect(url_for("admin.optout_list"))


@bp.route("/optouts.csv")
@admin_required
def optout_export() -> ResponseReturnValue:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "since", "source", "keyword", "said", "reason"])
    for row in optouts.optouts_page(get_session(), limit=optouts.EXPORT_LIMIT):
        entry = row.entry
        writer.writerow(
            [
                as_number(entry.number),
                entry.created_at.isoformat(),
                entry.source,
                as_text(entry.keyword or ""),
                as_text(row.said or ""),
                as_text(entry.reason or ""),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM: spreadsheets then read the file as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=stop-list.csv"},
    )
