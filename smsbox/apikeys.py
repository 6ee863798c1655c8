"""API keys: what an HTTP API client presents as `Authorization: Bearer smsbox_...`.

A key reads `smsbox_<key id>_<secret>`. The key id (public, 12 hex digits) finds the
row; the secret (256 random bits from `secrets`) is kept only as its SHA-256, which is
compared in constant time. A fast hash is right here, unlike for passwords: a password
is guessable, so its hash must be slow (scrypt, as smsbox.users does) to make each
guess dear, but nobody can guess 256 random bits however fast the hash, and a slow one
would cost every API request tens of milliseconds and 32 MB for nothing.

The caller commits.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from smsbox import account_settings
from smsbox.activity import Actor
from smsbox.models import ApiKey, User, utcnow
from smsbox.refusals import Refusal

PREFIX = "smsbox"
# Each scope allows what the ones before it do.
SCOPES = ("read", "send", "admin")
# last_used_at is written at most this often: a key used 500 times a second would
# otherwise turn each of its reads into a write.
LAST_USED_PRECISION = timedelta(minutes=1)
_KEY = re.compile(rf"{PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})")
# Compared against when the key id is unknown, so that an unknown key costs what a
# wrong secret does.
_NO_HASH = hashlib.sha256(b"no such key").hexdigest()
# Built once: every API request runs it, and building a statement costs more than
# SQLite takes to answer it. Columns of the tables, not of the entities: nothing here is
# changed through it, and the ORM's handling of the result cost more than the query.
_KEYS, _USERS = ApiKey.__table__, User.__table__


@functools.cache
def _by_key_id(settings: tuple[str, ...]) -> Select[Any]:
    return (
        select(
            _KEYS.c.id,
            _KEYS.c.name,
            _KEYS.c.scope,
            _KEYS.c.user_id,
            _KEYS.c.secret_hash,
            _KEYS.c.revoked_at,
            _KEYS.c.expires_at,
            _KEYS.c.last_used_at,
            _USERS.c.disabled.label("user_disabled"),
            *account_settings.stored_values(settings),
        )
        .outerjoin(_USERS, _USERS.c.id == _KEYS.c.user_id)
        .where(_KEYS.c.key_id == bindparam("key_id"))
    )


class ApiKeyError(Refusal):
    """A key that cannot be created or revoked; the text says why."""


@dataclass(frozen=True)
class Caller:
    """What a request authenticated by a key knows of it."""

    api_key_id: int
    name: str
    scope: str
    user_id: int | None

    def may(self, needed: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(needed)

    @property
    def actor(self) -> Actor:
        """Who the activity log says acted: the key, for the person it names if any."""
        return Actor(f"api:{self.name}", self.user_id)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    name: str,
    *,
    scope: str = "send",
    expires_at: datetime | None = None,
    user_name: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key and the only copy of its full text, to show once."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ApiKeyError("a key's name has 1 to 64 characters")
    if scope not in SCOPES:
        raise ApiKeyError(
            "no scope '%(scope)s': choose one of %(scopes)s", scope=scope, scopes=", ".join(SCOPES)
        )
    if expires_at is not None and expires_at <= utcnow():
        raise ApiKeyError("the expiry date has passed already")
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise ApiKeyError("a key named '%(name)s' exists already", name=name)
    user_id = None
    if user_name is not None:
        user_id = session.scalar(select(User.id).where(User.name == user_name))
        if user_id is None:
            raise ApiKeyError("no user named '%(name)s'", name=user_name)
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        key_id=key_id,
        secret_hash=hash_secret(secret),
        scope=scope,
        user_id=user_id,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, f"{PREFIX}_{key_id}_{secret}"


def authenticate(
    session: Session,
    presented: str,
    now: datetime | None = None,
    *,
    settings: tuple[str, ...] = (),
) -> Caller | None:
    """The key `presented` names, if it is well formed, known, its secret right,
    neither revoked nor expired, and its user (if it names one) not disabled; else
    None, whichever of these failed. Records its use (at most once a minute),
    committing it. The account's `settings` (keys of smsbox.account_settings) the
    request will read are read with the key, for a `read_once` session (`prime`)."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    key_id, secret = match.groups()
    # The session's connection, not the session: its execute() adds the ORM's handling
    # to a Core statement that needs none.
    key = session.connection().execute(_by_key_id(settings), {"key_id": key_id}).first()
    right = hmac.compare_digest(hash_secret(secret), key.secret_hash if key else _NO_HASH)
    now = now or utcnow()
    # A key acts for its user: when the account is disabled, so is the key.
    if key is None or not right or key.revoked_at is not None or key.user_disabled:
        return None
    if key.expires_at is not None and key.expires_at <= now:
        return None
    account_settings.prime(session, {name: key._mapping[name] for name in settings})
    if key.last_used_at is None or key.last_used_at <= now - LAST_USED_PRECISION:
        session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        session.commit()
    return Caller(key.id, key.name, key.scope, key.user_id)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def revoke_key(session: Session, name: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise ApiKeyError("no key named '%(name)s'", name=name)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key
