"""The HTTP API, /api/v1: JSON only, authenticated by API keys (`Authorization:
Bearer`), never by the session cookie, so no CSRF token either; errors as problem
documents (web.api.problems)."""

from __future__ import annotations

import math

from flask import Blueprint, Flask, Request, Response, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from smsbox import account_settings, activity, apikeys
from smsbox.activity import Action
from smsbox.config import Config
from web.api import problems
from web.api.problems import Problem
from web.api.ratelimit import TokenBuckets
from web.db import get_config, get_session

PREFIX = "/api/v1"
# An API body is a message and a few numbers: anything near this is no request of ours.
MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = f"the body is larger than {MAX_BODY_BYTES // 1024} KiB"
LIMITER_KEY = "smsbox.api.limiter"
# What a send reads of the account's settings (the signature, the caps, the time zone),
# read by the key's query: one round trip fewer for each request.
READ_WITH_THE_KEY = (account_settings.MESSAGES, account_settings.QUOTAS, account_settings.ACCOUNT)
# What anyone may read without a key: the description of the API.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})

bp = Blueprint("api", __name__, url_prefix=PREFIX, template_folder="templates")


def init_app(app: Flask, config: Config, limits: TokenBuckets | None = None) -> None:
    from web import csrf
    from web.api import directory, docs, messages, webhooks  # noqa: F401 (they declare the routes)

    app.extensions[LIMITER_KEY] = limits or TokenBuckets(config.api.rate_limit)
    app.session_interface = CookieSessionOutsideTheApi()
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_api_request() -> bool:
    return _is_api_path(request.path)


class CookieSessionOutsideTheApi(SecureCookieSessionInterface):
    """The pages' signed cookie session, which the API neither reads nor writes: its
    requests get Flask's null session, so none is decoded, checked or saved for them
    (and their answers do not vary with a cookie)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if _is_api_path(request.path):
            return None
        return super().open_session(app, request)


def problem_for(error: HTTPException) -> Response:
    """An HTTP error raised outside a view (no such route, wrong method, body too
    large), as a problem document."""
    kind = {
        404: problems.NOT_FOUND,
        405: problems.METHOD_NOT_ALLOWED,
        413: problems.PAYLOAD_TOO_LARGE,
        415: problems.UNSUPPORTED_MEDIA_TYPE,
    }.get(error.code or 500)
    if kind is None:
        kind = problems.INVALID_REQUEST if (error.code or 500) < 500 else problems.SERVER_ERROR
    detail = {
        404: "there is nothing at this address",
        405: f"{request.method} is not allowed here",
        413: TOO_LARGE,
    }.get(error.code or 500, error.description or kind.title)
    return Problem(kind, detail).response()


@bp.before_request
def _admit() -> None:
    # Told before the key is checked: a client sending too much learns it first.
    request.max_content_length = MAX_BODY_BYTES
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Problem(problems.PAYLOAD_TOO_LARGE, TOO_LARGE)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    g.caller = _caller()
    wait = current_app.extensions[LIMITER_KEY].take(g.caller.api_key_id)
    if wait:
        raise Problem(
            problems.RATE_LIMITED,
            f"at most {get_config().api.rate_limit} requests a minute per key",
            headers={"Retry-After": str(math.ceil(wait))},
        )


def _caller() -> apikeys.Caller:
    # The same answer whatever is wrong with the key, so that keys cannot be probed.
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    caller = None
    if scheme.lower() == "bearer" and token:
        caller = apikeys.authenticate(get_session(), token.strip(), settings=READ_WITH_THE_KEY)
    if caller is None:
        raise Problem(
            problems.UNAUTHORISED,
            "send a valid API key: Authorization: Bearer smsbox_...",
            headers={"WWW-Authenticate": 'Bearer realm="smsbox"'},
        )
    return caller


def commit_logged(status: int, *entries: dict[str, object]) -> None:
    """Commit the request's work with its activity entries: `entries` (activity.values)
    and the request's, saying it ends in `status`; one commit where logging after the
    answer takes a second. Should the commit fail, nothing is logged here and the
    failure's answer is, after it."""
    session = get_session()
    request_entry = activity.values(*_request_entry(g.caller), status=status)
    activity.record_at_once(session, [*entries, request_entry])
    session.commit()
    g.logged_with_work = True


def _request_entry(caller: apikeys.Caller) -> tuple[Action, activity.Actor, str]:
    return Action.API_REQUEST, caller.actor, f"{request.method} {request.path}"


@bp.after_request
def _log(response: Response) -> Response:
    """One activity entry per request a key made, reads too: who, what, and how it
    ended. A request without a valid key is not logged: it names nobody."""
    caller = g.get("caller")
    if caller is None or g.get("logged_with_work"):
        return response
    session = get_session()
    try:
        activity.record(session, *_request_entry(caller), status=response.status_code)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        current_app.logger.exception("API request not logged: %s", request.path)
    return response


@bp.errorhandler(Problem)
def _problem(problem: Problem) -> Response:
    get_session().rollback()
    return problem.response()


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return problem_for(error)


@bp.errorhandler(Exception)
def _server_error(error: Exception) -> Response:
    current_app.logger.exception("failure while serving %s", request.path)
    get_session().rollback()
    return Problem(problems.SERVER_ERROR, "the request failed: nothing was done").response()
