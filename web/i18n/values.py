"""Names the core puts in its refusals (a weekday, a kind of keyword, a cap), shown in
the reader's language: "monday" or "opt_out" inside a French sentence reads as a bug."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from smsbox.keywords import Kind
from smsbox.sending_window import WEEKDAYS

WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
KIND_LABELS = {
    Kind.OPT_OUT: _l("opt-out"),
    Kind.OPT_IN: _l("opt-in"),
    Kind.HELP: _l("help"),
    Kind.CUSTOM: _l("one of your own keywords"),
}
CAP_LABELS = {
    "account_daily": _l("The account, a day"),
    "account_monthly": _l("The account, a month"),
    "user_daily": _l("Each user, a day"),
    "user_monthly": _l("Each user, a month"),
    "modem_daily": _l("Each modem, a day"),
    "modem_monthly": _l("Each modem, a month"),
}
_WEEKDAYS = dict(zip(WEEKDAYS, WEEKDAY_LABELS, strict=True))
# By the name of the refusal's value: which values are such names.
NAMED_VALUES: dict[str, dict[str, LazyString]] = {
    "day": _WEEKDAYS,
    "what": _WEEKDAYS,
    "kind": KIND_LABELS,
    "first": KIND_LABELS,
    "second": KIND_LABELS,
    "name": CAP_LABELS,
}


def shown(name: str, value: object) -> object:
    """`value` of the refusal's `name` as the reader reads it."""
    labels = NAMED_VALUES.get(name, {})
    return labels.get(value, value) if isinstance(value, str) else value
