"""The kinds of entry in the activity log (smsbox.activity), apart so that the
command line offers them without loading the database layer."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT = "logout"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (the name of an action)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (the name of an action)
    SETTINGS_CHANGED = "settings_changed"
    MESSAGES_QUEUED = "messages_queued"
    MESSAGES_DELETED = "messages_deleted"
    MESSAGE_CANCELLED = "message_cancelled"
    # A send a cap refused before anything was queued.
    SEND_REFUSED = "send_refused"
    CAMPAIGN_CANCELLED = "campaign_cancelled"
    OPTOUT_ADDED = "optout_added"
    OPTOUT_REMOVED = "optout_removed"
    CONTACTS_IMPORTED = "contacts_imported"
    CONTACTS_EXPORTED = "contacts_exported"
    KEYWORD_TAGGED = "keyword_tagged"
    LANGUAGE_CHANGED = "language_changed"
    APIKEY_CREATED = "apikey_created"
    APIKEY_REVOKED = "apikey_revoked"
    WEBHOOK_ADDED = "webhook_added"
    WEBHOOK_CHANGED = "webhook_changed"
    WEBHOOK_REMOVED = "webhook_removed"
    # An operator at an administrator's page (403).
    ACCESS_REFUSED = "access_refused"
    # One entry per /api/v1 request: the key, the method and path, the status.
    API_REQUEST = "api_request"
