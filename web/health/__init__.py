"""Machine endpoints: `/healthz` for load balancers and monitoring checks, `/metrics`
for Prometheus. Neither renders a page."""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from smsbox.health import database_problems
from smsbox.metrics import database_registry
from web.db import get_session, get_sessions

bp = Blueprint("health", __name__)
REGISTRY_KEY = "smsbox.metrics"
# Headers a reverse proxy adds: behind one, every client comes from localhost.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers at the expected schema, else 503; no login,
    nothing said but the checks' outcome."""
    problems = database_problems(get_session())
    body = {"status": "error" if problems else "ok", "problems": problems}
    return jsonify(body), 503 if problems else 200


def _may_scrape() -> bool:
    """A scraper on this machine, not through a proxy, or a logged-in administrator.

    The figures tell no message nor number, but how busy the box is and its modems'
    names: not for anyone on the LAN."""
    if current_user.is_authenticated and current_user.is_admin:
        return True
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    if not _may_scrape():
        abort(403)
    registry = current_app.extensions.get(REGISTRY_KEY)
    if registry is None:
        registry = database_registry(get_sessions())
        current_app.extensions[REGISTRY_KEY] = registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
