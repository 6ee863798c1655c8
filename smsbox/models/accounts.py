"""Staff accounts, API keys, account settings and the activity log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smsbox.models.base import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written into each session cookie at login; raising it (logout, new password)
    # makes every cookie issued before worthless, wherever it was copied.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The language of the web pages for this person: "fr" or "en" (smsbox.users.LANGUAGES).
    language: Mapped[str] = mapped_column(String(8), default="fr", server_default="fr")
    # A disabled account cannot log in; its history stays.
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())


class LoginFailure(Base):
    """Wrong passwords counted for one user name or one client address (its `scope`).

    The row is deleted at `forget_at`, once it has gone quiet: the count starts over.
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int]
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forget_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Setting(Base):
    """An account setting changed from its default, by name: a JSON value the
    services read when they act, so a change needs no restart."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ActivityEntry(Base):
    """Who did what, for admins to look back on (`smsbox.activity`)."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_at", "at", "id"),
        Index("ix_activity_action_at", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who, as they were named then: a user's name, "cli", "sms", "daemon".
    actor: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    # What it was done to: a number, a user's name, a setting.
    subject: Mapped[str | None] = mapped_column(String(200))
    # JSON: counts, old and new values, the client's address.
    details: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    """A key an HTTP API client presents (smsbox.apikeys): only a hash of its secret
    is kept; the row is found by `key_id`, the public part of the key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # read < send < admin (smsbox.apikeys.SCOPES)
    scope: Mapped[str] = mapped_column(String(8))
    # The person the key acts for: messages it queues are theirs.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


class IdempotentRequest(Base):
    """The first answer to a request a client marked with an `Idempotency-Key`: the
    same key and body again get that answer back, and nothing is done twice."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path and body: the same key with another request is a conflict.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
