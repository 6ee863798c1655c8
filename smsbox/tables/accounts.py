"""Staff accounts, API keys, account settings and the activity log."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from smsbox.tables.columns import UTCDateTime, metadata, utcnow

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    # Written into each session cookie at login; raising it (logout, new password)
    # makes every cookie issued before worthless, wherever it was copied.
    Column("session_version", Integer, nullable=False, default=0, server_default="0"),
    # The language of the web pages for this person: "fr" or "en" (smsbox.users.LANGUAGES).
    Column("language", String(8), nullable=False, default="fr", server_default="fr"),
    # A disabled account cannot log in; its history stays.
    Column("disabled", Boolean, nullable=False, default=False, server_default=false()),
)

# Wrong passwords counted for one user name or one client address (its `scope`).
# The row is deleted at `forget_at`, once it has gone quiet: the count starts over.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(8), nullable=False),
    Column("key", String(255), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("forget_at", UTCDateTime, nullable=False, index=True),
    UniqueConstraint("scope", "key"),
)

# An account setting changed from its default, by name: a JSON value the services
# read when they act, so a change needs no restart.
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
)

# Who did what, for admins to look back on (`smsbox.activity`).
activity = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    # Who, as they were named then: a user's name, "cli", "sms", "daemon".
    Column("actor", String(80), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(32), nullable=False),
    # What it was done to: a number, a user's name, a setting.
    Column("subject", String(200)),
    # JSON: counts, old and new values, the client's address.
    Column("details", Text),
    Index("ix_activity_at", "at", "id"),
    Index("ix_activity_action_at", "action", "at", "id"),
)

# A key an HTTP API client presents (smsbox.apikeys): only a hash of its secret is
# kept; the row is found by `key_id`, the public part of the key.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    # read < send < admin (smsbox.apikeys.SCOPES)
    Column("scope", String(8), nullable=False),
    # The person the key acts for: messages it queues are theirs.
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
)

# The first answer to a request a client marked with an `Idempotency-Key`: the same
# key and body again get that answer back, and nothing is done twice.
api_idempotent_requests = Table(
    "api_idempotent_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("api_key_id", Integer, ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(255), nullable=False),
    # SHA-256 of the method, path and body: the same key with another request is a conflict.
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow, index=True),
    UniqueConstraint("api_key_id", "key"),
)
