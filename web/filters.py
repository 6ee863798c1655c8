"""Jinja filters: times stored in UTC shown in the configured time zone and the
reader's language, and the names of states in that language."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimeFormat, get_datetime_format, tokenize_pattern
from flask import Flask, g
from flask_babel import get_locale, get_timezone, lazy_gettext

from smsbox.models import Status
from web.links import RowLink

STATUS_NAMES = {
    Status.SCHEDULED: lazy_gettext("scheduled"),
    Status.QUEUED: lazy_gettext("queued"),
    Status.SENDING: lazy_gettext("sending"),
    Status.SENT: lazy_gettext("sent"),
    Status.DELIVERED: lazy_gettext("delivered"),
    Status.FAILED: lazy_gettext("failed"),
    Status.EXPIRED: lazy_gettext("expired"),
    Status.BLOCKED: lazy_gettext("blocked"),
    Status.INTERRUPTED: lazy_gettext("interrupted"),
    Status.CANCELLED: lazy_gettext("cancelled"),
    Status.RECEIVED: lazy_gettext("received"),
}
# What modem.worker records of each modem.
MODEM_STATE_NAMES = {
    "ready": lazy_gettext("ready"),
    "error": lazy_gettext("error"),
    "stopped": lazy_gettext("stopped"),
    "connecting": lazy_gettext("connecting"),
    "unknown": lazy_gettext("unknown"),
}
# What AT+CREG? said (modem.drivers.contract.ModemStatus.registration).
REGISTRATION_NAMES = {
    "home": lazy_gettext("home network"),
    "roaming": lazy_gettext("roaming"),
    "searching": lazy_gettext("searching"),
    "denied": lazy_gettext("denied"),
    "unregistered": lazy_gettext("not registered"),
    "unknown": lazy_gettext("unknown"),
}
# A [[modem]]'s role (smsbox.config.MODEM_ROLES).
ROLE_NAMES = {
    "send": lazy_gettext("sends only"),
    "receive": lazy_gettext("receives only"),
    "both": lazy_gettext("sends and receives"),
}


def localtime(value: datetime | None) -> str:
    """Date and time in the configured zone (BABEL_DEFAULT_TIMEZONE), the reader's way:
    what Flask-Babel's format_datetime(value, "short") writes."""
    if value is None:
        return ""
    write = g.get("datetime_writer")
    if write is None:
        write = g.datetime_writer = datetime_writer(str(get_locale()), str(get_timezone()))
    return write(value)


@lru_cache(maxsize=64)  # a few languages by the accounts' zones
def datetime_writer(locale_name: str, zone_name: str) -> Callable[[datetime], str]:
    """The short date and time of a locale in a zone, as one function: Babel parses its
    patterns, converts through pytz and dispatches every field at each call, some 20 µs
    a time, which a list of 100 rows of up to three times each felt. Here the zone is a
    zoneinfo one and the pattern becomes one %-format whose numeric fields are read from
    the datetime's attributes (a function a field, their strings joined, took 3.4 µs in
    French and 6.7 in English, 1.7 and 2.1 now); the day period (AM, PM) is one of the
    locale's two names, and any other field (a month's name) is still Babel's."""
    locale = Locale.parse(locale_name)
    zone = ZoneInfo(zone_name)
    # Where the date ({1}) and the time ({0}) go, as Babel's format_datetime joins them.
    joined = get_datetime_format("short", locale).replace("'", "")
    patterns = {
        "{1}": locale.date_formats["short"].pattern,
        "{0}": locale.time_formats["short"].pattern,
    }
    source: list[str] = []
    fields: list[Callable[[datetime], object]] = []  # the values of the format's fields
    for piece in re.split(r"(\{[01]\})", joined):
        if piece in patterns:
            for token in tokenize_pattern(patterns[piece]):
                source.append(_field_source(token, locale, fields))
        elif piece:
            source.append(_literal(piece))
    format_source = "".join(source)

    def write(value: datetime) -> str:
        moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
        return format_source % tuple([field(moment) for field in fields])

    return write


# Babel's numeric fields, zero-padded to the field's length: most are the datetime's own.
_NUMBERS: dict[str, Callable[[datetime], int]] = {
    "y": attrgetter("year"),
    "d": attrgetter("day"),
    "H": attrgetter("hour"),
    "m": attrgetter("minute"),
    "s": attrgetter("second"),
    "h": lambda moment: moment.hour % 12 or 12,
    "K": lambda moment: moment.hour % 12,
    "k": lambda moment: moment.hour or 24,
}
_MIDNIGHT, _NOON = datetime(2000, 1, 1), datetime(2000, 1, 1, 12)


def _field_source(
    token: tuple[str, Any], locale: Locale, fields: list[Callable[[datetime], object]]
) -> str:
    """The %-format source of one of Babel's tokens, appending to `fields` what gives its
    value."""
    kind, value = token
    if kind == "chars":
        return _literal(value)
    char, length = value
    field = char * length
    if char == "y" and length == 2:  # the year's last two digits
        fields.append(lambda moment: moment.year % 100)
    elif char == "M" and length <= 2:
        fields.append(attrgetter("month"))
    elif char in _NUMBERS:
        fields.append(_NUMBERS[char])
    elif char == "a":  # AM or PM: the locale's two names, chosen by the hour
        morning, afternoon = (DateTimeFormat(at, locale)[field] for at in (_MIDNIGHT, _NOON))
        fields.append(lambda moment: afternoon if moment.hour >= 12 else morning)
        return "%s"
    else:
        fields.append(lambda moment: DateTimeFormat(moment, locale)[field])
        return "%s"
    return f"%0{length}d"


def _literal(text: str) -> str:
    return text.replace("%", "%%")


def status_name(status: str) -> str:
    if "status_names" not in g:
        g.status_names = {key: str(name) for key, name in STATUS_NAMES.items()}
    return g.status_names.get(status, status)


def modem_state_name(state: str) -> str:
    return str(MODEM_STATE_NAMES.get(state, state))


def registration_name(registration: str) -> str:
    return str(REGISTRATION_NAMES.get(registration, registration))


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


def register_filters(app: Flask) -> None:
    """The filters, and RowLink for the lists' rows."""
    app.add_template_global(RowLink, "row_link")
    app.add_template_filter(localtime, "localtime")
    # A filter is called straight from the compiled template; a method is called through
    # Jinja's Context.call, which looks for a context argument first (2 µs a row).
    app.add_template_filter(datetime.isoformat, "isoformat")
    app.add_template_filter(status_name, "status_name")
    app.add_template_filter(modem_state_name, "modem_state_name")
    app.add_template_filter(registration_name, "registration_name")
    app.add_template_filter(role_name, "role_name")
