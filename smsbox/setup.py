"""First start: the data directory, the secret key and the schema."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from smsbox.config import Config
from smsbox.database import upgrade


def ensure_secret_key(path: Path) -> bytes:
    """The web session key: random, made once, readable by the owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def initialise(config: Config) -> None:
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    ensure_secret_key(config.secret_key_path)
    upgrade(config.database_url)
