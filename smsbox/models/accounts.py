"""Staff accounts, API keys, account settings and the activity log (smsbox.tables.accounts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, relationship

from smsbox import tables
from smsbox.models.base import Base


class User(Base):
    __table__ = tables.users

    id: Mapped[int]
    name: Mapped[str]
    password_hash: Mapped[str]
    is_admin: Mapped[bool]
    created_at: Mapped[datetime]
    session_version: Mapped[int]
    language: Mapped[str]
    disabled: Mapped[bool]


class LoginFailure(Base):
    __table__ = tables.login_failures

    id: Mapped[int]
    scope: Mapped[str]
    key: Mapped[str]
    failures: Mapped[int]
    locked_until: Mapped[datetime | None]
    forget_at: Mapped[datetime]


class Setting(Base):
    __table__ = tables.settings

    key: Mapped[str]
    value: Mapped[str]
    updated_at: Mapped[datetime]


class ActivityEntry(Base):
    __table__ = tables.activity

    id: Mapped[int]
    at: Mapped[datetime]
    actor: Mapped[str]
    user_id: Mapped[int | None]
    action: Mapped[str]
    subject: Mapped[str | None]
    details: Mapped[str | None]


class ApiKey(Base):
    __table__ = tables.api_keys

    id: Mapped[int]
    name: Mapped[str]
    key_id: Mapped[str]
    secret_hash: Mapped[str]
    scope: Mapped[str]
    user_id: Mapped[int | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()


class IdempotentRequest(Base):
    __table__ = tables.api_idempotent_requests

    id: Mapped[int]
    api_key_id: Mapped[int]
    key: Mapped[str]
    request_hash: Mapped[str]
    status_code: Mapped[int]
    response_body: Mapped[str]
    created_at: Mapped[datetime]
