"""Signatures of the Standard Webhooks specification (standardwebhooks.com).

The secret reads `whsec_<base64 of random bytes>`; each request carries `webhook-id`,
`webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 of
HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the form of a secret, not one)
SECRET_BYTES = 24


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.digest(key, signed, hashlib.sha256)).decode()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id, timestamp, body),
        "content-type": "application/json",
    }
