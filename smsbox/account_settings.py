"""The account's settings that staff change while smsbox runs (keywords, sending
hours, caps...): one row of JSON per group of settings, read by the services when they
act, so a change takes effect in the daemon without a restart. A group never saved,
or a field added since it was, takes its default."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Label, insert, select, update

from smsbox import activity
from smsbox.activity import Action, Actor
from smsbox.keywords import KeywordRules
from smsbox.sending_window import SendingWindow
from smsbox.tables import settings as _SETTINGS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Settings = TypeVar("Settings")

KEYWORDS = "keywords"
SENDING_WINDOW = "sending_window"
QUOTAS = "quotas"
MESSAGES = "messages"
ACCOUNT = "account"
# In a session's `info`: the stored values by key, read once for the session. Only a
# session that lives for one short piece of work (a web request) opts in with
# `read_once`: the daemon's must see a change made meanwhile.
_READ_ONCE = "smsbox.settings.read_once"
# In a read-once session's `info`: values of some keys read by another query (`prime`).
_PRIMED = "smsbox.settings.primed"
# Built once: every API request runs it.
_EVERY_VALUE = select(_SETTINGS.c.key, _SETTINGS.c.value)


def read_once(session: Session) -> Session:
    """Let `session` read the settings once and keep them for its life (a web request
    asks for three of them, each query dearer than the work it serves)."""
    session.info[_READ_ONCE] = None
    return session


def stored_values(keys: tuple[str, ...]) -> list[Label[str | None]]:
    """The stored values of `keys` (None for a key never saved) as columns another
    query can select, each labelled with its key: a query a request makes anyway then
    reads them in the same round trip (`prime` takes them)."""
    return [
        select(_SETTINGS.c.value).where(_SETTINGS.c.key == key).scalar_subquery().label(key)
        for key in keys
    ]


def prime(session: Session, values: dict[str, str | None]) -> None:
    """Give a `read_once` session the stored values of some keys (`stored_values`), so
    that reading them makes no query; the others are read as before."""
    if _READ_ONCE in session.info:
        session.info[_PRIMED] = dict(values)


def _stored(session: Session, key: str) -> str | None:
    if _READ_ONCE not in session.info:
        return session.scalar(select(_SETTINGS.c.value).where(_SETTINGS.c.key == key))
    primed = session.info.get(_PRIMED, {})
    if key in primed:
        return primed[key]
    values = session.info[_READ_ONCE]
    if values is None:
        values = dict(session.connection().execute(_EVERY_VALUE).all())
        session.info[_READ_ONCE] = values
    return values.get(key)


def load(session: Session, key: str, kind: type[Settings]) -> Settings:
    value = _stored(session, key)
    if value is None:
        return kind()
    stored = json.loads(value)
    known = {field.name: field for field in dataclasses.fields(kind) if field.init}
    return kind(**{name: _tuples(value) for name, value in stored.items() if name in known})


def _tuples(value: Any) -> Any:
    """JSON's lists back to the tuples the settings hold."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def save(session: Session, key: str, settings: Any, actor: Actor) -> None:
    """Store `settings` (a dataclass that checked itself when made); the activity log
    keeps the fields changed, with their old and new values."""
    values = _values(settings)
    old = _values(load(session, key, type(settings)))
    changed = {name: [old[name], value] for name, value in values.items() if old[name] != value}
    encoded = json.dumps(values, ensure_ascii=False)
    saved = session.execute(
        update(_SETTINGS).where(_SETTINGS.c.key == key).values(value=encoded)
    ).rowcount
    if not saved:
        session.execute(insert(_SETTINGS).values(key=key, value=encoded))
    for read in (session.info.get(_READ_ONCE), session.info.get(_PRIMED)):
        if read is not None:
            read[key] = encoded
    if changed:
        activity.record(session, Action.SETTINGS_CHANGED, actor, key, changed=changed)


def _values(settings: Any) -> dict[str, Any]:
    return {
        field.name: getattr(settings, field.name)
        for field in dataclasses.fields(settings)
        if field.init
    }


def keyword_rules(session: Session) -> KeywordRules:
    return load(session, KEYWORDS, KeywordRules)


def sending_window(session: Session) -> SendingWindow:
    return load(session, SENDING_WINDOW, SendingWindow)
