"""The account's settings that staff change while smsbox runs (keywords, ...): one
row of JSON per group of settings, read by the services each time they act, so a
change takes effect in the daemon without a restart. A group never saved, or a
field added since it was, takes its default."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from smsbox.keywords import KeywordRules
from smsbox.models import Setting

Settings = TypeVar("Settings")

KEYWORDS = "keywords"


def load(session: Session, key: str, kind: type[Settings]) -> Settings:
    row = session.get(Setting, key)
    if row is None:
        return kind()
    stored = json.loads(row.value)
    known = {field.name: field for field in dataclasses.fields(kind) if field.init}
    values = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in stored.items()
        if name in known
    }
    return kind(**values)


def save(session: Session, key: str, settings: Any) -> None:
    """Store `settings` (a dataclass that checked itself when made)."""
    values = {
        field.name: getattr(settings, field.name)
        for field in dataclasses.fields(settings)
        if field.init
    }
    encoded = json.dumps(values, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    else:
        row.value = encoded
    session.flush()


def keyword_rules(session: Session) -> KeywordRules:
    return load(session, KEYWORDS, KeywordRules)
