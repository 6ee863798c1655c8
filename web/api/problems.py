"""Errors of the API as problem documents (RFC 9457, `application/problem+json`).

Each kind of error has its own `type`, a URI that stays the same across versions so
that clients can branch on it; it is relative (RFC 9457 §3.1.1), resolving to the
section of the box's API page that describes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Response

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/docs#problem-"


@dataclass(frozen=True)
class Kind:
    slug: str
    status: int
    title: str

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


INVALID_REQUEST = Kind("invalid-request", 400, "The request is not valid")
INVALID_NUMBER = Kind("invalid-number", 422, "A phone number is not valid")
EMPTY_TEXT = Kind("empty-text", 422, "The text is empty")
TOO_LONG = Kind("too-long", 422, "The text is too long")
INVALID_TEXT = Kind("invalid-text", 422, "The text cannot be sent")
UNKNOWN_MODEM = Kind("unknown-modem", 422, "No such sending modem")
INVALID_URL = Kind("invalid-url", 422, "The webhook URL may not be used")
QUOTA_EXCEEDED = Kind("quota-exceeded", 403, "A cap on sending would be passed")
UNAUTHORISED = Kind("unauthorised", 401, "A valid API key is needed")
FORBIDDEN = Kind("forbidden", 403, "This key's scope does not allow it")
NOT_FOUND = Kind("not-found", 404, "Not found")
METHOD_NOT_ALLOWED = Kind("method-not-allowed", 405, "Method not allowed")
CONFLICT = Kind("conflict", 409, "Conflict")
PAYLOAD_TOO_LARGE = Kind("payload-too-large", 413, "The request body is too large")
UNSUPPORTED_MEDIA_TYPE = Kind("unsupported-media-type", 415, "The body must be JSON")
RATE_LIMITED = Kind("rate-limited", 429, "Too many requests")
SERVER_ERROR = Kind("server-error", 500, "Something went wrong")

KINDS = (
    INVALID_REQUEST,
    INVALID_NUMBER,
    EMPTY_TEXT,
    TOO_LONG,
    INVALID_TEXT,
    UNKNOWN_MODEM,
    INVALID_URL,
    QUOTA_EXCEEDED,
    UNAUTHORISED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CONFLICT,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RATE_LIMITED,
    SERVER_ERROR,
)


class Problem(Exception):
    """Raised anywhere in a view: the blueprint answers with its document."""

    def __init__(
        self,
        kind: Kind,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = headers or {}

    def document(self) -> dict[str, object]:
        document: dict[str, object] = {
            "type": self.kind.type,
            "title": self.kind.title,
            "status": self.kind.status,
            "detail": self.detail,
        }
        if self.field is not None:
            document["field"] = self.field
        if self.errors:
            document["errors"] = self.errors
        return document

    def response(self) -> Response:
        body = json.dumps(self.document(), ensure_ascii=False) + "\n"
        response = Response(body, status=self.kind.status, mimetype=MEDIA_TYPE)
        response.headers.update(self.headers)
        return response
