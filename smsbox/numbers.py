"""Phone numbers: E.164 for storage and matching, the raw text kept beside it."""

from __future__ import annotations

import phonenumbers

from smsbox.refusals import Refusal


class InvalidNumber(Refusal):
    """A recipient that cannot be a phone number; the message says why."""


def to_e164(raw: str, default_region: str) -> str:
    """The E.164 form of a number typed by a person, e.g. '06 12 34 56 78' -> '+33612345678'."""
    text = raw.strip()
    if not text:
        raise InvalidNumber("the number is empty")
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidNumber("“%(number)s” is not a phone number", number=text) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumber(
            "“%(number)s” has the wrong number of digits for its country", number=text
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def from_network(raw: str, default_region: str) -> str:
    """Best form for a sender given by the network.

    Senders can be alphanumeric ('ORANGE') or short codes: those are kept as given,
    since they are not numbers anyone could dial back.
    """
    try:
        return to_e164(raw, default_region)
    except InvalidNumber:
        return raw.strip()
