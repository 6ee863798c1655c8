"""Imports that leave OpenSSL unloaded, for the daemon.

SQLAlchemy imports asyncio, which imports ssl, and hashlib, which loads OpenSSL's
libcrypto for its digests, whatever the database: 5 MB of the daemon's peak with 16
modems, most of it the pages of libcrypto that OpenSSL's start-up touches. The
daemon speaks no TLS through asyncio, and the few SHA-256 it computes (an inbound
slot's key, a webhook's signature) are as well served by the digests built into
Python. So, while its modules are imported, `ssl` and `_hashlib` are absent, as on a
Python built without OpenSSL: asyncio goes without TLS, hashlib and hmac use their
own SHA-2. The modules come back afterwards: a webhook to an https URL imports ssl
when it posts, and PostgreSQL's libpq loads OpenSSL as it always does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

OPENSSL_MODULES = ("ssl", "_hashlib")


@contextmanager
def imports_without_openssl() -> Iterator[None]:
    # None in sys.modules makes `import name` raise ImportError, which these
    # modules' importers catch to fall back on what Python has without OpenSSL.
    absent = [name for name in OPENSSL_MODULES if name not in sys.modules]
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in absent:
            if sys.modules.get(name, "imported") is None:
                del sys.modules[name]
