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
}


def localtime(value: datetime | None) -> str:
    """Date and time in the configured zone (BABEL_DEFAULT_TIMEZONE), the reader's way."""
    return "" if value is None else format_datetime(value, "short")


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))  # type: ignore[call-overload]


def modem_state_name(state: str) -> str:
    return str(MODEM_STATE_NAMES.get(state, state))


def register_filters(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(status_name, "status_name")
    app.add_template_filter(modem_state_name, "modem_state_name")
