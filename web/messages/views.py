from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, gettext, ngettext
from flask_login import login_required

from smsbox.message_settings import message_settings
from smsbox.modems import list_modems
from smsbox.optouts import opted_out_among
from smsbox.outbox import MAX_BODY_LENGTH, signed_text
from smsbox.sms_length import Alphabet, SmsLength, measure
from web.campaigns.sending import group_choices, queue_campaign_form
from web.db import get_config, get_session, get_timezone
from web.filters import localtime
from web.messages.forms import SendForm
from web.messages.queueing import queue_send_form

bp = Blueprint("messages", __name__, url_prefix="/messages", template_folder="templates")


@bp.route("/send", methods=["GET", "POST"])
@login_required
def send() -> ResponseReturnValue:
    form = SendForm()
    senders = [modem.name for modem in get_config().modems if modem.sends]
    form.modem.choices = [("", gettext("Any: the least busy"))] + [(name, name) for name in senders]
    form.groups.choices = group_choices()
    valid = form.validate_on_submit()
    if valid and form.groups.data:
        campaign = queue_campaign_form(form)
        if campaign is not None:
            flash(
                gettext(
                    "Campaign queued: %(count)s messages, %(stopped)s skipped as opted out.",
                    count=campaign.recipients,
                    stopped=campaign.opted_out,
                ),
                "success",
            )
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    messages = queue_send_form(form) if valid and not form.groups.data else None
    if messages is not None:
        numbers = ", ".join(message.number for message in messages)
        # Queued all the same, as every way in does: the daemon checks the list when it
        # takes each message (a STOP may also come, or go, before then).
        stopped = opted_out_among(get_session(), [message.number for message in messages])
        if stopped:
            text = gettext(
                "On the STOP list, so not sent unless they leave it first: %(numbers)s.",
                numbers=", ".join(stopped),
            )
            flash(text, "error")
        if form.scheduled_at is not None:
            text = gettext(
                "Message scheduled for %(numbers)s on %(time)s.",
                numbers=numbers,
                time=localtime(form.scheduled_at),
            )
            flash(text, "success")
            return redirect(url_for("messages.scheduled"))
        flash(gettext("Message queued for %(number)s.", number=numbers), "success")
        return redirect(url_for("messages.sent"))
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "messages/send.html",
        title=gettext("New SMS"),
        form=form,
        modems=list_modems(get_session()),
        choose_modem=len(senders) > 1,
        timezone=get_timezone(),
        counter=counter_text(measure(signed_text(get_session(), form.body.data or ""))),
        signature=message_settings(get_session()).signature,
    )
    return page, status


@bp.route("/length", methods=["POST"])
@login_required
def length() -> ResponseReturnValue:
    """The send page's counter as the daemon will send the text: a POST (with the CSRF
    token in X-CSRFToken) so that the text stays out of URLs and the logs that keep them."""
    text = request.form.get("text", "").replace("\r\n", "\n")
    # A new message is measured with the signature it will go with.
    measured = measure(signed_text(get_session(), text) if request.args.get("signed") else text)
    return {
        "alphabet": str(measured.alphabet),
        "units": measured.units,
        "parts": measured.parts,
        "characters": measured.characters,
        "too_long": measured.too_long,
        "text": counter_text(measured),
    }


ALPHABET_NAMES = {Alphabet.GSM_7: "GSM 7-bit", Alphabet.UCS_2: "Unicode (UCS-2)"}


def counter_text(measured: SmsLength) -> str:
    """What the counter under the text says, in the reader's language."""
    if measured.too_long:
        return gettext(
            "%(count)s characters: more than the %(limit)s a message may have.",
            count=format_decimal(measured.characters),
            limit=format_decimal(MAX_BODY_LENGTH),
        )
    characters = ngettext("%(num)d character", "%(num)d characters", measured.units)
    parts = ngettext("%(num)d SMS", "%(num)d SMS", measured.parts)
    return f"{characters} · {ALPHABET_NAMES[measured.alphabet]} · {parts}"
