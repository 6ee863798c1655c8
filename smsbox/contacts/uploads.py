"""Contact files uploaded through the web page, kept in the data directory between
their preview and their import: nothing reaches the contacts before the import.

Each file is in a directory with a random name (its token: the page that uploaded
it holds it, nobody can guess another's) under its own name, which the import's
messages quote; one left uncommitted is deleted after `KEPT_FOR`, when the next file
is uploaded.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import BinaryIO

from smsbox.contacts.files import ImportRefused

KEPT_FOR = 3600  # seconds
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_UNSAFE = re.compile(r"[^\w.-]")


def uploads_directory(data_dir: Path) -> Path:
    return data_dir / "contact-uploads"


def keep_upload(directory: Path, stream: BinaryIO, filename: str) -> str:
    """Store the uploaded file; its token."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _forget_expired(directory)
    token = secrets.token_urlsafe(24)
    (directory / token).mkdir(mode=0o700)
    # Only letters, digits, dots and dashes: the name can lead nowhere else.
    name = _UNSAFE.sub("_", Path(filename).name).lstrip(".") or "contacts"
    with (directory / token / name).open("xb") as kept:
        shutil.copyfileobj(stream, kept)
    return token


def upload_path(directory: Path, token: str) -> Path:
    """Where the file of `token` is; refused when it is not there (any more)."""
    files = list((directory / token).iterdir()) if _is_kept(directory, token) else []
    if len(files) != 1:
        raise ImportRefused("this uploaded file is no longer kept: upload it again")
    return files[0]


def discard_upload(directory: Path, token: str) -> None:
    if _is_kept(directory, token):
        shutil.rmtree(directory / token, ignore_errors=True)


def _is_kept(directory: Path, token: str) -> bool:
    return bool(_TOKEN.fullmatch(token)) and (directory / token).is_dir()


def _forget_expired(directory: Path) -> None:
    oldest = time.time() - KEPT_FOR
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < oldest:
                shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:  # another request's sweep took it first
            pass
