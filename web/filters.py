"""Jinja filters: times stored in UTC shown in the configured time zone and the
reader's language, and the names of states in that language."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime, lazy_gettext

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
    """Date and time in the configured zone (BABEL_DEFAULT_TIMEZONE), the reader's way."""
    return "" if value is None else format_datetime(value, "short")


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))  # type: ignore[call-overload]


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
