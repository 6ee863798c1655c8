from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TelField, TextAreaField
from wtforms.validators import DataRequired

from smsbox.outbox import MAX_BODY_LENGTH


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


class SendForm(ReplyForm):
    number = TelField(_l("Number"), validators=[DataRequired(_l("Enter a phone number."))])
