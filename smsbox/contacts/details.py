"""What one contact holds, checked before it is stored: the same rules for a person
typing it and for a line of an imported file."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from smsbox.numbers import InvalidNumber, to_e164
from smsbox.refusals import Refusal

# The columns' sizes (smsbox.models.Contact), and what a sane file holds.
NAME_MAX = 200
RAW_NUMBER_MAX = 64
NOTES_MAX = 2000
FIELD_NAME_MAX = 64
FIELD_VALUE_MAX = 1000
FIELDS_MAX = 50

_LETTER = re.compile(r"[^\W\d_]")
# Newlines and tabs belong in notes and field values; other control characters
# (NUL, escape sequences) belong in no contact.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What a one-line value must not hold: _CONTROL, or a line break (a tab is fine).
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class ContactRefused(Refusal):
    """A contact, or a line of a file, that cannot be stored; the message says why."""


@dataclass(frozen=True)
class ContactDetails:
    name: str
    number: str
    raw_number: str
    notes: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def contact_number(raw: str, default_region: str) -> str:
    """E.164, refusing letters: phonenumbers would read "06 CALL ME" as digits."""
    text = raw.strip()
    if len(text) > RAW_NUMBER_MAX:
        raise ContactRefused("the number is longer than %(limit)s characters", limit=RAW_NUMBER_MAX)
    if _LETTER.search(text):
        raise ContactRefused("“%(number)s” has letters in it: not a phone number", number=text)
    try:
        return to_e164(text, default_region)
    except InvalidNumber as error:
        raise ContactRefused(error.template, **error.values) from None


def reason_template(text: str) -> str:
    """A refusal's reason written where it is not raised (web.i18n.catalog finds it)."""
    return text


# What a too long value, and a value holding control characters, are told; by kind.
_TEXT_REASONS = {
    "name": (
        reason_template("the name is %(length)s characters long; at most %(limit)s are kept"),
        reason_template("the name holds control characters"),
    ),
    "notes": (
        reason_template("the notes are %(length)s characters long; at most %(limit)s are kept"),
        reason_template("the notes hold control characters"),
    ),
    "field name": (
        reason_template(
            "the custom field name is %(length)s characters long; at most %(limit)s are kept"
        ),
        reason_template("the custom field name holds control characters"),
    ),
    "field value": (
        reason_template(
            "the value of “%(field)s” is %(length)s characters long; at most %(limit)s are kept"
        ),
        reason_template("the value of “%(field)s” holds control characters"),
    ),
}


def _text(value: str, kind: str, limit: int, multiline: bool, field: str = "") -> str:
    """`value` as stored, or ContactRefused; `field` names the custom field it is the
    value of."""
    if not value:
        return value
    cleaned = value.strip()
    if "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n")
    if len(cleaned) > limit:
        raise ContactRefused(
            _TEXT_REASONS[kind][0],
            length=len(cleaned),
            limit=limit,
            field=field[:40],
            value=cleaned,
        )
    # A printable text holds neither control characters nor line breaks: the pattern is
    # searched only in the others (with a tab, a line break, a non-breaking space...).
    if not cleaned.isprintable() and (_CONTROL if multiline else _CONTROL_OR_BREAK).search(cleaned):
        raise ContactRefused(_TEXT_REASONS[kind][1], field=field[:40], value=cleaned)
    return cleaned if cleaned.isascii() else unicodedata.normalize("NFC", cleaned)


@functools.lru_cache(maxsize=1024)  # a file names the same few fields on every line
def field_name(value: str) -> str:
    name = _text(value, "field name", FIELD_NAME_MAX, False)
    if not name:
        raise ContactRefused("a custom field needs a name")
    return name


def check_contact(
    name: str,
    raw_number: str,
    default_region: str,
    notes: str = "",
    fields: dict[str, str] | None = None,
) -> ContactDetails:
    """The contact as it will be stored; empty custom fields are left out.

    A refusal's `values["value"]` is the value refused, when it is not the number.
    """
    # Positional arguments and no call for an empty value: this runs for every line of
    # a file, five values a line.
    checked_name = _text(name, "name", NAME_MAX, False)
    number = contact_number(raw_number, default_region)
    kept = {}
    if fields:
        for key, value in fields.items():
            text = _text(value, "field value", FIELD_VALUE_MAX, True, key) if value else ""
            if text:
                kept[field_name(key)] = text
        if len(kept) > FIELDS_MAX:
            raise ContactRefused("more than %(limit)s custom fields", limit=FIELDS_MAX)
    return ContactDetails(
        checked_name,
        number,
        raw_number.strip(),
        _text(notes, "notes", NOTES_MAX, True) if notes else notes,
        kept,
    )
