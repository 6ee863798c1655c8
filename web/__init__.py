"""The Flask web UI: staff send and read SMS. Talks to the core (`smsbox`) only."""

from __future__ import annotations

import threading

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from smsbox.config import Config
from smsbox.database import make_session_factory, open_database
from smsbox.setup import ensure_secret_key
from web.api.ratelimit import TokenBuckets
from web.db import CONFIG_KEY, SESSIONS_KEY, WRITERS_KEY, Lock, close_session
from web.filters import register_filters
from web.navigation import current_item

MAX_REQUEST_BYTES = 1024 * 1024

# No inline script or style anywhere, so nothing beyond 'self' is ever needed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

csrf = CSRFProtect()


def create_app(
    config: Config,
    session_factory: sessionmaker[Session] | None = None,
    *,
    api_limits: TokenBuckets | None = None,
    sqlite_writers: Lock | None = None,
) -> Flask:
    """The app; `api_limits`, the API keys' rate limits, and `sqlite_writers`, the lock
    of those writing to SQLite (web.db.one_writer), when several processes share them."""
    from web import (
        account,
        admin,
        api,
        auth,
        calls,
        campaigns,
        contacts,
        dashboard,
        discussions,
        health,
        i18n,
        messages,
        modems,
    )

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=ensure_secret_key(config.secret_key_path),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.web.secure_cookies,
        REMEMBER_COOKIE_SECURE=config.web.secure_cookies,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    if session_factory is None:
        # Each of waitress's threads, and a contact import's own.
        engine = open_database(config.database_url, connections=config.web.threads + 1)
        session_factory = make_session_factory(engine)
    app.extensions[SESSIONS_KEY] = session_factory
    app.extensions[CONFIG_KEY] = config
    app.extensions[WRITERS_KEY] = threading.Lock() if sqlite_writers is None else sqlite_writers
    app.teardown_appcontext(close_session)

    # Before the CSRF check, which reads the form: the import page's files are larger.
    app.before_request(contacts.allow_contact_files)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    i18n.init_app(app, config.messaging.timezone)
    register_filters(app)
    app.add_template_global(current_item, "current_nav_item")
    app.register_blueprint(auth.bp)
    app.register_blueprint(messages.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(discussions.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(calls.bp)
    app.register_blueprint(contacts.bp)
    app.register_blueprint(modems.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(health.bp)
    api.init_app(app, config, api_limits)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    app.after_request(_add_security_headers)
    app.after_request(_forbid_storing_pages)
    app.add_url_rule("/", "index", _index)
    return app


def _index() -> ResponseReturnValue:
    return redirect(url_for("dashboard.index"))


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    return _error_page(
        400,
        gettext("Form refused"),
        gettext("The form has expired or did not come from this site."),
        gettext("Go back, reload the page and try again."),
    )


def _http_error(error: HTTPException) -> ResponseReturnValue:
    from web.api import is_api_request, problem_for

    if is_api_request():  # an address under /api/v1 that no API view serves
        return problem_for(error)
    if error.code == 404:
        reason = _own_description(error) or gettext("There is no page here.")
        return _error_page(404, gettext("Page not found"), reason)
    if error.code == 405:
        return _error_page(405, gettext("Not allowed"), gettext("This page cannot do that."))
    if error.code == 413:
        return _error_page(413, gettext("Too large"), gettext("What was sent is too large."))
    if error.code == 403:
        reason = _own_description(error) or gettext("Your account may not open this page.")
        return _error_page(403, gettext("Request refused"), reason)
    if error.code is not None and error.code < 500:
        reason = _own_description(error) or gettext("This request cannot be served.")
        return _error_page(error.code, gettext("Request refused"), reason)
    return _server_error(error)


def _own_description(error: HTTPException) -> str | None:
    """What the view said in its abort(), not werkzeug's generic English."""
    return error.description if error.description != type(error).description else None


def _server_error(error: Exception) -> ResponseReturnValue:
    if not isinstance(error, HTTPException):
        current_app.logger.exception("failure while serving %s", request.path)
    return _error_page(
        500,
        gettext("Something went wrong"),
        gettext("The page could not be shown. Nothing you sent was lost: try again."),
    )


def _error_page(
    status: int, title: str, reason: str, advice: str | None = None
) -> ResponseReturnValue:
    return render_template("error.html", title=title, reason=reason, advice=advice), status


def _add_security_headers(response):  # type: ignore[no-untyped-def]
    # Those a view did not set, found in one pass: setdefault() went through the headers
    # three times for each (a twentieth of an API request's time in Flask).
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend(
        [(name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present]
    )
    return response


def _forbid_storing_pages(response):  # type: ignore[no-untyped-def]
    # Pages show messages and numbers: on a shared browser, Back after logging out
    # must not bring them back from the cache. Static files carry nothing private.
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response
