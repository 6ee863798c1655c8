from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, DateTimeLocalInput, ListWidget

from smsbox.campaigns.local_times import send_time as campaign_send_time
from smsbox.numbers import InvalidRecipients, recipients
from smsbox.outbox import MAX_BODY_LENGTH, MessageRejected, check_body
from smsbox.scheduled import ScheduleRefused, send_time
from web.db import get_config, get_timezone
from web.i18n import reason


def _unix_newlines(text: str | None) -> str | None:
    # Browsers send a textarea's line breaks as CRLF; one SMS character is enough.
    return None if text is None else text.replace("\r\n", "\n")


class ReplyForm(FlaskForm):
    """A text to one number already known (a discussion's reply box)."""

    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("The message is empty."))],
        filters=[_unix_newlines],
        render_kw={"maxlength": MAX_BODY_LENGTH, "rows": 6},
    )
    submit = SubmitField(_l("Send"))


class NumbersField(Field):
    """Every value posted under the field's name: the page shows one input, and a
    script adds more ("+"); each may hold several numbers (commas, semicolons)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist

    def _value(self) -> list[str]:
        return self.data or [""]


class _Checked(Form):
    """What the send form and the scheduled message's form check alike: the text and
    the time to send, read as the core reads them; `scheduled_at` holds the time in UTC."""

    scheduled_at: datetime | None = None

    def validate_body(self, field: Field) -> None:
        try:
            check_body(field.data or "")
        except MessageRejected as refusal:
            raise ValidationError(reason(refusal)) from None

    def validate_send_at(self, field: Field) -> None:
        try:
            self.scheduled_at = send_time(field.data or "", get_timezone())
        except ScheduleRefused as refusal:
            raise ValidationError(reason(refusal)) from None


class SendForm(_Checked, ReplyForm):
    number = NumbersField(_l("Number"))
    # Filled with the groups; choosing one makes the send a campaign.
    groups = SelectMultipleField(
        _l("Groups"),
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    transactional = BooleanField(_l("Transactional (a reminder, a code): goes out at any hour"))
    send_at = StringField(_l("Send later (optional)"), widget=DateTimeLocalInput())
    # Filled with the sending modems when there are several; empty: the routing chooses.
    modem = SelectField(_l("Sending modem"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Send"))

    # E.164 -> as typed, once the numbers are checked.
    to_numbers: dict[str, str] | None = None

    def validate_number(self, field: Field) -> None:
        if self.groups.data and not any(value.strip() for value in field.data or []):
            self.to_numbers = {}  # the groups alone
            return
        try:
            self.to_numbers = recipients(field.data or [], get_config().messaging.default_region)
        except InvalidRecipients as refused:
            field.errors.extend(reason(refusal) for refusal in refused.refusals)

    def validate_send_at(self, field: Field) -> None:
        if not (self.groups.data and field.data):
            super().validate_send_at(field)
            return
        # A campaign's time: one the clocks skip goes when they jump
        # (smsbox.campaigns.local_times), as recurring campaigns do.
        zone = ZoneInfo(get_timezone())
        try:
            self.scheduled_at = campaign_send_time(field.data.replace("T", " ", 1), zone)
        except ScheduleRefused as refusal:
            raise ValidationError(reason(refusal)) from None

    def validate_modem(self, field: Field) -> None:
        if field.data and field.data not in dict(field.choices):  # type: ignore[arg-type]
            raise ValidationError(
                _l("“%(name)s” is no modem that sends.", name=str(field.data)[:40])
            )


class ScheduledForm(_Checked, ReplyForm):
    send_at = StringField(
        _l("Send at"),
        validators=[DataRequired(_l("Enter the date and time to send it."))],
        widget=DateTimeLocalInput(),
    )
    submit = SubmitField(_l("Save"))
