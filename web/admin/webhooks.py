"""The webhooks page: admins register URLs told of events (their signing secret shown
once), enable, disable or remove them, and look at each one's recent deliveries, with
a button to post one again. The daemon posts them, never this web server."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from smsbox import activity, wakeup
from smsbox.activity import Action
from smsbox.refusals import Refusal
from smsbox.webhooks import endpoints
from smsbox.webhooks.guard import MAX_URL_LENGTH, UrlRefused
from web.admin import admin_required, bp
from web.db import get_config, get_session
from web.i18n import reason

EVENT_NAMES = {
    "message.received": _l("an SMS was received"),
    "message.sent": _l("an SMS was sent"),
    "message.delivered": _l("an SMS was delivered"),
    "message.failed": _l("an SMS failed or expired"),
    "call.received": _l("a call came in"),
    "optout.created": _l("a number was put on the STOP list"),
}


class AddWebhookForm(FlaskForm):
    url = StringField(
        _l("URL the events are posted to"),
        validators=[DataRequired(_l("Enter a URL.")), Length(max=MAX_URL_LENGTH)],
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(event, label) for event, label in EVENT_NAMES.items()],
        option_widget=CheckboxInput(),
        # No `required`: on checkboxes the browser would demand every one of them.
        # The core says when none is chosen.
        widget=ListWidget(prefix_label=False),
    )
    allow_private = BooleanField(
        _l("Allow an address of this box or a link-local one (refused otherwise)")
    )
    submit = SubmitField(_l("Add the webhook"))


class EnableForm(FlaskForm):
    enabled = HiddenField(validators=[AnyOf(["0", "1"])])


@bp.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks() -> ResponseReturnValue:
    session = get_session()
    form = AddWebhookForm()
    added = None
    if form.validate_on_submit():
        try:
            added = endpoints.add_endpoint(
                session,
                form.url.data or "",
                form.events.data or [],
                created_by=current_user.actor.name,
                allow_private=form.allow_private.data,
            )
        except UrlRefused as error:
            form.url.errors = [*form.url.errors, reason(error)]
        except Refusal as error:
            form.events.errors = [*form.events.errors, reason(error)]
        else:
            activity.record(
                session,
                Action.WEBHOOK_ADDED,
                current_user.actor,
                added.endpoint.url,
                events=added.endpoint.events,
                allow_private=added.endpoint.allow_private,
            )
            session.commit()
    page = render_template(
        "admin/webhooks.html",
        title=gettext("Webhooks"),
        form=form,
        added=added,
        endpoints=endpoints.endpoints(session),
        event_names=EVENT_NAMES,
    )
    return page, 400 if form.is_submitted() and added is None else 200


def _endpoint_or_404(endpoint_id: int):
    try:
        return endpoints.endpoint(get_session(), endpoint_id)
    except Refusal as error:
        abort(404, reason(error))


@bp.route("/webhooks/<int:endpoint_id>")
@admin_required
def webhook(endpoint_id: int) -> ResponseReturnValue:
    found = _endpoint_or_404(endpoint_id)
    return render_template(
        "admin/webhook.html",
        title=gettext("Webhook %(id)s", id=found.id),
        endpoint=found,
        deliveries=endpoints.deliveries(get_session(), found.id),
        event_names=EVENT_NAMES,
    )


@bp.route("/webhooks/<int:endpoint_id>/enabled", methods=["POST"])
@admin_required
def webhook_enable(endpoint_id: int) -> ResponseReturnValue:
    form = EnableForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form is incomplete."))
    _endpoint_or_404(endpoint_id)
    session = get_session()
    changed = endpoints.set_enabled(session, endpoint_id, form.enabled.data == "1")
    activity.record(
        session, Action.WEBHOOK_CHANGED, current_user.actor, changed.url, enabled=changed.enabled
    )
    session.commit()
    if changed.enabled:
        flash(gettext("The webhook is enabled."), "success")
    else:
        flash(gettext("The webhook is disabled: it gets no new events."), "success")
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/<int:endpoint_id>/remove", methods=["POST"])
@admin_required
def webhook_remove(endpoint_id: int) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400, gettext("The form is incomplete."))
    _endpoint_or_404(endpoint_id)
    session = get_session()
    removed = endpoints.remove_endpoint(session, endpoint_id)
    activity.record(session, Action.WEBHOOK_REMOVED, current_user.actor, removed.url)
    session.commit()
    flash(gettext("The webhook %(url)s was removed.", url=removed.url), "success")
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/deliveries/<int:delivery_id>/replay", methods=["POST"])
@admin_required
def webhook_replay(delivery_id: int) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400, gettext("The form is incomplete."))
    session = get_session()
    try:
        again = endpoints.replay(session, delivery_id)
    except Refusal as error:
        abort(404, reason(error))
    session.commit()
    wakeup.notify(get_config())
    flash(gettext("The event will be posted again."), "success")
    return redirect(url_for("admin.webhook", endpoint_id=again.endpoint_id))
