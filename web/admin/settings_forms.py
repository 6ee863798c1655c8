"""The settings page's forms, each turned into the core's settings (which check
themselves: a value they refuse comes back with the reason)."""

from __future__ import annotations

import dataclasses

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from smsbox import account_settings
from smsbox.account_details import AccountDetails
from smsbox.config_checks import MAX_VALIDITY_HOURS
from smsbox.keywords import KeywordRules, custom_from_lines, custom_lines
from smsbox.message_settings import MAX_SIGNATURE_LENGTH, MessageSettings
from smsbox.quotas import Quotas
from smsbox.sending_window import WEEKDAYS, SendingWindow
from web.i18n.values import CAP_LABELS


def _lines(text: str | None) -> tuple[str, ...]:
    """One entry per line; blank lines are no entries."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _reply(label):
    return TextAreaField(label, render_kw={"rows": 2, "maxlength": 459})


class KeywordsForm(FlaskForm):
    opt_out = TextAreaField(_l("Opt-out keywords (one per line)"), render_kw={"rows": 5})
    opt_out_reply = _reply(_l("Reply to an opt-out"))
    opt_in = TextAreaField(_l("Opt-in keywords (one per line)"), render_kw={"rows": 3})
    double_opt_in = BooleanField(_l("Ask a number that opts in to confirm (double opt-in)"))
    opt_in_confirm_request = _reply(_l("Reply asking to confirm an opt-in"))
    opt_in_reply = _reply(_l("Reply to a confirmed opt-in"))
    confirm_within_hours = IntegerField(
        _l("Hours to confirm an opt-in"), validators=[NumberRange(min=1, max=720)]
    )
    help = TextAreaField(_l("Help keywords (one per line)"), render_kw={"rows": 3})
    help_reply = _reply(_l("Reply to a help keyword"))
    default_reply = _reply(_l("Reply to any other message (empty: none)"))
    replies_per_hour = IntegerField(
        _l("Automatic replies to one number an hour, at most"),
        validators=[NumberRange(min=1, max=100)],
    )
    custom = TextAreaField(
        _l("Your own keywords, one per line: keyword | group to put the sender in | reply"),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Save the keywords"))
    KEY = account_settings.KEYWORDS

    def fill(self, rules: KeywordRules) -> None:
        for name in ("opt_out", "opt_in", "help"):
            getattr(self, name).data = "\n".join(getattr(rules, name))
        for name in (
            "opt_out_reply",
            "opt_in_confirm_request",
            "opt_in_reply",
            "help_reply",
            "default_reply",
            "double_opt_in",
            "confirm_within_hours",
            "replies_per_hour",
        ):
            getattr(self, name).data = getattr(rules, name)
        self.custom.data = "\n".join(custom_lines(rules))

    def settings(self, _posted) -> KeywordRules:
        """The rules as typed (Refusal when they cannot be applied)."""
        return KeywordRules(
            opt_out=_lines(self.opt_out.data),
            opt_in=_lines(self.opt_in.data),
            help=_lines(self.help.data),
            opt_out_reply=(self.opt_out_reply.data or "").strip(),
            opt_in_confirm_request=(self.opt_in_confirm_request.data or "").strip(),
            opt_in_reply=(self.opt_in_reply.data or "").strip(),
            help_reply=(self.help_reply.data or "").strip(),
            default_reply=(self.default_reply.data or "").strip(),
            double_opt_in=bool(self.double_opt_in.data),
            confirm_within_hours=self.confirm_within_hours.data or 0,
            replies_per_hour=self.replies_per_hour.data or 0,
            custom=custom_from_lines(_lines(self.custom.data)),
        )


class HoursForm(FlaskForm):
    holiday_country = StringField(
        _l("Public holidays of (country code, empty for none)"), render_kw={"maxlength": 2}
    )
    extra_holidays = TextAreaField(
        _l("Other days off (YYYY-MM-DD, one per line)"), render_kw={"rows": 3}
    )
    worked_holidays = TextAreaField(
        _l("Public holidays worked anyway (YYYY-MM-DD, one per line)"), render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Save the sending hours"))
    KEY = account_settings.SENDING_WINDOW

    def fill(self, window: SendingWindow) -> None:
        self.holiday_country.data = window.holiday_country
        self.extra_holidays.data = "\n".join(window.extra_holidays)
        self.worked_holidays.data = "\n".join(window.worked_holidays)

    def settings(self, posted) -> SendingWindow:
        return SendingWindow(
            hours=typed_hours(posted),
            holiday_country=(self.holiday_country.data or "").strip().upper(),
            extra_holidays=_lines(self.extra_holidays.data),
            worked_holidays=_lines(self.worked_holidays.data),
        )


def typed_hours(form_data) -> tuple[tuple[str, str] | None, ...]:
    """Each weekday's start and end as typed; both empty: closed that day."""
    hours = []
    for day in WEEKDAYS:
        start = form_data.get(f"{day}_start", "").strip()
        end = form_data.get(f"{day}_end", "").strip()
        hours.append(None if not start and not end else (start, end))
    return tuple(hours)


def _cap(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0)])


class CapsForm(FlaskForm):
    account_daily = _cap(CAP_LABELS["account_daily"])
    account_monthly = _cap(CAP_LABELS["account_monthly"])
    user_daily = _cap(CAP_LABELS["user_daily"])
    user_monthly = _cap(CAP_LABELS["user_monthly"])
    modem_daily = _cap(CAP_LABELS["modem_daily"])
    modem_monthly = _cap(CAP_LABELS["modem_monthly"])
    submit = SubmitField(_l("Save the caps"))
    KEY = account_settings.QUOTAS

    NAMES = tuple(field.name for field in dataclasses.fields(Quotas))

    def fill(self, quotas: Quotas) -> None:
        for name in self.NAMES:
            getattr(self, name).data = getattr(quotas, name)

    def settings(self, _posted) -> Quotas:
        return Quotas(**{name: getattr(self, name).data for name in self.NAMES})


class MessagesForm(FlaskForm):
    signature = StringField(
        _l("Signature added to every message staff, the API and campaigns send (empty: none)"),
        render_kw={"maxlength": MAX_SIGNATURE_LENGTH},
    )
    validity_hours = IntegerField(
        _l("Hours the network keeps trying to deliver a message"),
        validators=[NumberRange(min=1, max=MAX_VALIDITY_HOURS)],
    )
    delivery_reports = BooleanField(_l("Ask for delivery reports"))
    submit = SubmitField(_l("Save the message settings"))
    KEY = account_settings.MESSAGES

    def fill(self, settings: MessageSettings) -> None:
        self.signature.data = settings.signature
        self.validity_hours.data = settings.validity_hours
        self.delivery_reports.data = settings.delivery_reports

    def settings(self, _posted) -> MessageSettings:
        return MessageSettings(
            signature=(self.signature.data or "").strip(),
            validity_hours=self.validity_hours.data,
            delivery_reports=bool(self.delivery_reports.data),
        )


class AccountForm(FlaskForm):
    name = StringField(_l("Account name, shown at the top of every page"))
    timezone = StringField(
        _l("Time zone of the pages, sending hours, caps and scheduled sends"),
        render_kw={"list": "timezones", "autocomplete": "off"},
    )
    allow_duplicates = BooleanField(_l("Let several contacts have the same number"))
    submit = SubmitField(_l("Save the account"))
    KEY = account_settings.ACCOUNT

    def fill(self, details: AccountDetails) -> None:
        self.name.data = details.name
        self.timezone.data = details.timezone
        self.allow_duplicates.data = details.allow_duplicates

    def settings(self, _posted) -> AccountDetails:
        return AccountDetails(
            name=(self.name.data or "").strip(),
            timezone=(self.timezone.data or "").strip(),
            allow_duplicates=bool(self.allow_duplicates.data),
        )
