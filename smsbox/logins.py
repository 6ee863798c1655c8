"""Logging in: the password checked, and guessing slowed down.

Wrong passwords are counted per user name and per client address. A name that
fails 5 times, or an address that fails 20 times, with no 15 quiet minutes in
between, is locked out for a minute; each further failure locks it for longer.
The counts live in the database, so they hold across a restart and across the
web server's worker processes. Functions take `now` so tests need not sleep.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from smsbox import activity
from smsbox.activity import Action, Actor
from smsbox.dialect_sql import upsert_insert
from smsbox.models import LoginFailure, User, utcnow
from smsbox.users import authenticate


class Scope(enum.StrEnum):
    NAME = "name"
    ADDRESS = "address"


# One address can be a whole office behind NAT, or the TLS proxy in front of
# smsbox, and a success does not clear it: it may fail more often than one name.
MAX_FAILURES = {Scope.NAME: 5, Scope.ADDRESS: 20}
FORGET_AFTER = timedelta(minutes=15)
# The lockout at the limit, then after each further failure; the last one repeats.
LOCKOUTS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 30, 60))
# Names are typed by anyone: a longer one cannot be an account, so its tail is not kept.
KEY_LENGTH = LoginFailure.__table__.c.key.type.length


@dataclass(frozen=True)
class LoginAttempt:
    """`user` when the password was right; `locked_for` when refused for too many failures."""

    user: User | None
    locked_for: timedelta | None = None


def try_login(
    session: Session, name: str, password: str, *, address: str, now: datetime | None = None
) -> LoginAttempt:
    """Check the password unless the name or the address is locked out; the caller commits."""
    now = now or utcnow()
    keys = {Scope.NAME: name.strip()[:KEY_LENGTH], Scope.ADDRESS: address[:KEY_LENGTH]}
    locked_for = _locked_for(session, keys, now)
    typed = Actor(keys[Scope.NAME])
    if locked_for is not None:
        # Not even checked: a guess made during a lockout learns nothing.
        activity.record(session, Action.LOGIN_LOCKED, typed, address=address)
        return LoginAttempt(None, locked_for)
    user = authenticate(session, name, password)
    if user is not None:
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.scope == Scope.NAME, LoginFailure.key == keys[Scope.NAME]
            )
        )
        activity.record(session, Action.LOGIN, Actor(user.name, user.id), address=address)
        return LoginAttempt(user)
    session.execute(delete(LoginFailure).where(LoginFailure.forget_at <= now))
    for scope, key in keys.items():
        _count_failure(session, scope, key, now)
    activity.record(session, Action.LOGIN_FAILED, typed, address=address)
    return LoginAttempt(None, _locked_for(session, keys, now))


def _locked_for(session: Session, keys: dict[Scope, str], now: datetime) -> timedelta | None:
    locked_until = session.scalar(
        select(func.max(LoginFailure.locked_until)).where(
            or_(*(and_(LoginFailure.scope == s, LoginFailure.key == k) for s, k in keys.items())),
            LoginFailure.locked_until > now,
        )
    )
    return None if locked_until is None else locked_until - now


def _count_failure(session: Session, scope: Scope, key: str, now: datetime) -> None:
    # Rows past their forget_at were deleted just before, so a row found here counts on.
    # Both databases smsbox runs on count a failure in one atomic statement.
    insert = upsert_insert(session.get_bind().dialect.name)(LoginFailure)
    session.execute(
        insert.values(
            scope=scope, key=key, failures=1, forget_at=now + FORGET_AFTER
        ).on_conflict_do_update(
            index_elements=["scope", "key"], set_={"failures": LoginFailure.failures + 1}
        )
    )
    # The upsert holds the row's write lock until commit: this read-then-write is safe.
    counter = session.scalars(
        select(LoginFailure)
        .where(LoginFailure.scope == scope, LoginFailure.key == key)
        .execution_options(populate_existing=True)
    ).one()
    beyond_limit = counter.failures - MAX_FAILURES[scope]
    if beyond_limit >= 0:
        counter.locked_until = now + LOCKOUTS[min(beyond_limit, len(LOCKOUTS) - 1)]
    counter.forget_at = max(now, counter.locked_until or now) + FORGET_AFTER
