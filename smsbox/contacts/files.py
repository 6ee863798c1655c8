"""A contact file sized up before a line of it is read: its size against the limit,
its encoding, and whether it is CSV or vCard.

Encodings, in this order: a byte-order mark says it (UTF-8, UTF-16, UTF-32); a file
that decodes as UTF-8 is UTF-8; then Windows-1252, which spreadsheets on Windows write
in Western Europe (Latin-1 is the same for every letter), if charset-normalizer finds
the bytes make sense in it; else charset-normalizer's guess. Windows-1252 is asked
for by name because on a short file charset-normalizer's own guess among the one-byte
encodings is unreliable (a two-line French file came out as Korean Johab).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from smsbox.refusals import Refusal

CHUNK = 1 << 20
SAMPLE_CHARS = 1 << 16
# Longest first: the UTF-32 little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SPREADSHEET_ENCODING = "cp1252"
# Control characters no text file holds (tab, newlines and form feed aside).
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_VCARD = re.compile(r"\s*BEGIN:VCARD", re.IGNORECASE)


class ImportRefused(Refusal):
    """The whole file is refused, before anything is stored; the message says why."""


@dataclass(frozen=True)
class ContactFile:
    path: Path
    size: int
    encoding: str
    is_vcard: bool

    def open_text(self):  # type: ignore[no-untyped-def]
        # newline="": the csv module sees the line ends inside quoted fields itself.
        return self.path.open(encoding=self.encoding, newline="")


def size_up(path: Path, max_bytes: int) -> ContactFile:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportRefused(
            "cannot read %(file)s: %(why)s", file=path.name, why=error.strerror
        ) from None
    if not path.is_file():
        raise ImportRefused("%(file)s is not a file", file=path.name)
    if size > max_bytes:
        raise ImportRefused(
            "%(file)s is %(size)s MB; files up to %(limit)s MB are imported "
            "([contacts] max_import_mb)",
            file=path.name,
            size=f"{size / 1_000_000:.1f}",
            limit=max_bytes // 1_000_000,
        )
    if size == 0:
        raise ImportRefused("%(file)s is empty", file=path.name)
    encoding = _encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as text:
        sample = text.read(SAMPLE_CHARS)
    if _BINARY.search(sample):
        raise ImportRefused(
            "%(file)s is not a text file: save the contacts as CSV or vCard", file=path.name
        )
    if not sample.strip():
        raise ImportRefused("%(file)s holds no contact: it is blank", file=path.name)
    return ContactFile(path, size, encoding, bool(_VCARD.match(sample)))


def _encoding(path: Path) -> str:
    with path.open("rb") as file:
        start = file.read(4)
    for bom, encoding in _BOMS:
        if start.startswith(bom):
            return encoding
    if _is_utf8(path):
        return "utf-8"
    if charset_normalizer.from_path(path, cp_isolation=[_SPREADSHEET_ENCODING]).best():
        return _SPREADSHEET_ENCODING
    guess = charset_normalizer.from_path(path).best()
    if guess is None:
        raise ImportRefused(
            "%(file)s is not a text file: save the contacts as CSV or vCard", file=path.name
        )
    return guess.encoding


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            while chunk := file.read(CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
