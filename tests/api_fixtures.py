"""The web application served over real HTTP by waitress, and a small client for its API."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from smsbox.apikeys import create_key
from smsbox.config import Config
from web import create_app
from web.server import serve_app, stop_server


@contextmanager
def serving(config: Config, sessions=None) -> Iterator[str]:
    """The app on `config` served as `smsbox web` serves it, on a free local port; its
    base URL."""
    server = serve_app(create_app(config, sessions), 4, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop_server(server)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the web server did not stop"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw)

    @property
    def media_type(self) -> str:
        return self.headers.get_content_type()


class ApiClient:
    """Requests to /api/v1 of the server at `base`, with `key` as bearer token."""

    def __init__(self, base: str, key: str | None = None):
        self.address = urlsplit(base).netloc
        self.key = key

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        key: str | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        token = key if key is not None else self.key
        if token is not None and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            raw = json.dumps(body).encode()
        if raw is not None:
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection(self.address, timeout=30)
        try:
            connection.request(method, "/api/v1" + path, body=raw, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, **options) -> Answer:
        return self.request("GET", path, **options)

    def post(self, path: str, body: object = None, **options) -> Answer:
        return self.request("POST", path, body, **options)

    def delete(self, path: str, **options) -> Answer:
        return self.request("DELETE", path, **options)


def new_key(sessions, name: str = "crm", scope: str = "send", **options) -> str:
    with sessions() as session:
        _, token = create_key(session, name, scope=scope, **options)
        session.commit()
    return token


@pytest.fixture
def api_base(config, sessions) -> Iterator[str]:
    with serving(config, sessions) as base:
        yield base


@pytest.fixture
def api(api_base, sessions) -> ApiClient:
    """A client with a key of scope send."""
    return ApiClient(api_base, new_key(sessions))
