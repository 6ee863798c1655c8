"""Phone numbers: E.164 for storage and matching, the raw text kept beside it."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from smsbox.plain_numbers import plain_e164
from smsbox.refusals import Refusal


class InvalidNumber(Refusal):
    """A recipient that cannot be a phone number; the message says why."""


def to_e164(raw: str, default_region: str) -> str:
    """The E.164 form of a number typed by a person, e.g. '06 12 34 56 78' -> '+33612345678'."""
    text = raw.strip()
    if not text:
        raise InvalidNumber("the number is empty")
    plain = plain_e164(text, default_region)
    if plain is not None:
        return plain
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


# One form sends to this many numbers at most: more is a campaign, not a message.
MAX_RECIPIENTS = 100
# What people put between numbers when they type or paste several into one field.
_BETWEEN_NUMBERS = re.compile(r"[,;\r\n]+")


class InvalidRecipients(ValueError):
    """Some of the numbers typed are no phone numbers: each one's refusal, in order."""

    def __init__(self, refusals: list[InvalidNumber]):
        super().__init__("; ".join(map(str, refusals)))
        self.refusals = refusals


def recipients(fields: Iterable[str], default_region: str) -> dict[str, str]:
    """The numbers typed in `fields` (each may hold several, separated by commas,
    semicolons or line breaks): E.164 -> the text typed, in order, each number once.

    Raises InvalidRecipients naming every one that is no number: one bad number
    refuses them all, so that nobody gets the message twice once it is corrected.
    """
    typed = [raw.strip() for text in fields for raw in _BETWEEN_NUMBERS.split(text)]
    typed = [raw for raw in typed if raw]
    if not typed:
        raise InvalidRecipients([InvalidNumber("the number is empty")])
    if len(typed) > MAX_RECIPIENTS:
        raise InvalidRecipients(
            [InvalidNumber("at most %(limit)d numbers at once", limit=MAX_RECIPIENTS)]
        )
    found: dict[str, str] = {}
    refusals = []
    for raw in typed:
        try:
            found.setdefault(to_e164(raw, default_region), raw)
        except InvalidNumber as refusal:
            refusals.append(refusal)
    if refusals:
        raise InvalidRecipients(refusals)
    return found
