"""Jinja filters: times stored in UTC shown in the configured time zone and the
reader's language, and the names of states in that language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from babel import Locale
from babel.dates import DateTimePattern, get_datetime_format, parse_pattern
from flask import Flask, g
from flask_babel import get_locale, get_timezone, lazy_gettext

from smsbox.models import Status

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
    writer = _datetime_writer()
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = moment.astimezone(writer.zone)
    return writer.joined.replace("{0}", writer.time.apply(moment, writer.locale)).replace(
        "{1}", writer.date.apply(moment, writer.locale)
    )


@dataclass(frozen=True)
class _DatetimeWriter:
    locale: Locale
    zone: tzinfo
    date: DateTimePattern
    time: DateTimePattern
    joined: str  # where the date ({1}) and the time ({0}) go


def _datetime_writer() -> _DatetimeWriter:
    """The reader's locale, zone and short patterns, looked up once a request: Babel
    looks them up at each call, which a list of 100 rows of three times each felt."""
    if "datetime_writer" not in g:
        locale = get_locale()
        g.datetime_writer = _DatetimeWriter(
            locale,
            get_timezone(),
            parse_pattern(locale.date_formats["short"]),
            parse_pattern(locale.time_formats["short"]),
            get_datetime_format("short", locale).replace("'", ""),
        )
    return g.datetime_writer


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
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(status_name, "status_name")
    app.add_template_filter(modem_state_name, "modem_state_name")
    app.add_template_filter(registration_name, "registration_name")
    app.add_template_filter(role_name, "role_name")
